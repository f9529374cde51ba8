// Process-wide counters of where a worker's time goes, read by bench/runtime.ts.
export const runtimeMetrics = {
  turns: 0,
  /** Time waiting for the model stream (request to final message). */
  modelMs: 0,
  /** Time spent inside tools (commands, editor, search). */
  toolMs: 0,
  reset() {
    this.turns = 0;
    this.modelMs = 0;
    this.toolMs = 0;
  },
};

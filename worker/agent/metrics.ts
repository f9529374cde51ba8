// Process-wide counters of where a worker's time goes, read by bench/runtime.ts.
export const runtimeMetrics = {
  turns: 0,
  /** Time waiting for the model stream (request to final message). */
  modelMs: 0,
  /** Time spent inside tools (commands, editor, search). */
  toolMs: 0,
  /** Verification of claims at session ends (read by bench/verification.ts): all of it, the commands, the verifier sessions. */
  verificationMs: 0,
  verificationCommandMs: 0,
  /** Wall time around the verification commands (their runner's own measure plus starting its sandbox). */
  verificationCommandWallMs: 0,
  verifierMs: 0,
  reset() {
    this.verificationCommandWallMs = 0;
    this.turns = 0;
    this.modelMs = 0;
    this.toolMs = 0;
    this.verificationMs = 0;
    this.verificationCommandMs = 0;
    this.verifierMs = 0;
  },
};

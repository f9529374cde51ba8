// The run copies this worker process is executing, by run id: the stop relay and the shutdown reach every copy
// here (BullMQ's own job tracking is keyed by job id, so a second delivery of a job hides the first copy from it).
export type AbortRun = (reason: string) => void;

export class ActiveRuns {
  private readonly byRun = new Map<string, Set<AbortRun>>();

  /** Registers one copy; the returned function unregisters it. */
  add(runId: string, abort: AbortRun): () => void {
    let copies = this.byRun.get(runId);
    if (!copies) this.byRun.set(runId, (copies = new Set()));
    copies.add(abort);
    return () => {
      copies.delete(abort);
      if (!copies.size && this.byRun.get(runId) === copies) this.byRun.delete(runId);
    };
  }

  /** Aborts every copy of the run held here; false when there is none. */
  abort(runId: string, reason: string): boolean {
    const copies = this.byRun.get(runId);
    if (!copies?.size) return false;
    for (const abort of [...copies]) abort(reason);
    return true;
  }

  abortAll(reason: string): void {
    for (const runId of [...this.byRun.keys()]) this.abort(runId, reason);
  }

  get size(): number {
    return this.byRun.size;
  }
}

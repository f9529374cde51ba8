// The one table of a run's allowed status changes. Every write of AgentRun.status goes through writeRunStatus
// (status-update.ts), whose UPDATE only matches a row whose current status may change to the new one, so two writers
// racing for a run cannot both apply a change the table forbids (e.g. resume a run another writer just finished).
import type { RunStatus } from '../events/types.js';

export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  // Waiting for a worker: a worker starts it; it is paused or stopped before one does; a worker fails it at start.
  QUEUED: ['RUNNING', 'PAUSED', 'CANCELLED', 'FAILED'],
  // A worker holds it: it ends, pauses, or is checkpointed; RUNNING again when a new holder resumes a dead one's run.
  RUNNING: ['RUNNING', 'INTERRUPTED', 'PAUSED', 'SUCCEEDED', 'STOPPED', 'FAILED', 'CANCELLED'],
  // Its worker went away: the next holder resumes it, or it is paused or stopped before one does.
  INTERRUPTED: ['RUNNING', 'PAUSED', 'CANCELLED', 'FAILED'],
  // Parked, holding no worker: resumed (QUEUED again) or stopped.
  PAUSED: ['QUEUED', 'CANCELLED'],
  SUCCEEDED: [],
  STOPPED: [],
  FAILED: [],
  CANCELLED: [],
};

/** Runs that own their project's workspace (one per project); a PAUSED run still does. */
export const ACTIVE_RUN_STATUSES = ['QUEUED', 'RUNNING', 'INTERRUPTED', 'PAUSED'] as const satisfies readonly RunStatus[];

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/** The statuses a run may be in for a change to `to`: the WHERE clause of every status write. */
export function statusesLeadingTo(to: RunStatus): RunStatus[] {
  return (Object.keys(RUN_TRANSITIONS) as RunStatus[]).filter((from) => canTransition(from, to));
}

export class ForbiddenTransitionError extends Error {
  constructor(
    readonly runId: string,
    readonly from: RunStatus,
    readonly to: RunStatus,
  ) {
    super(`Run ${runId} cannot go from ${from} to ${to}.`);
    this.name = 'ForbiddenTransitionError';
  }
}

/** For a writer that may lose a race (the run was resumed, finished meanwhile): a forbidden transition means "nothing to do". */
export function ignoreForbidden(error: unknown): null {
  if (error instanceof ForbiddenTransitionError) return null;
  throw error;
}

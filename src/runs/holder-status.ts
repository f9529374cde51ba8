// The status changes a lease holder (writer.ts) makes around a run's execution, each told as events: RUNNING (a
// worker starts or resumes it), finished (a final status, then the COMPLETE event) and INTERRUPTED (its worker went
// away or is shutting down; the next holder resumes it). PAUSED is in pause.ts.
import type { RunWriter } from './writer.js';
import { writeRunStatus, type RunUsage } from './status-update.js';

type FinalStatus = 'SUCCEEDED' | 'STOPPED' | 'FAILED' | 'CANCELLED';

export interface FinalOutcome {
  status: FinalStatus;
  stopReason: string | null;
  error?: string | null;
  message?: string;
}

/** Writes RUNNING for a worker that starts (or resumes) the run, and tells it. */
export async function markRunning(writer: RunWriter, opts: { workerId: string; startedAt: Date; message: string }): Promise<void> {
  const { db, runId, epoch, events } = writer;
  await writeRunStatus(db, runId, { to: 'RUNNING', epoch, data: { startedAt: opts.startedAt, workerId: opts.workerId } });
  events.emit({ type: 'STATUS', payload: { status: 'RUNNING', message: opts.message } });
  await events.flush();
}

/** Returns the run's usage totals as the final write left them. */
export async function finishRun(writer: RunWriter, outcome: FinalOutcome): Promise<RunUsage> {
  const { db, runId, epoch, events } = writer;
  const usage = await writeRunStatus(db, runId, {
    to: outcome.status,
    epoch,
    data: { stopReason: outcome.stopReason, error: outcome.error ?? null, finishedAt: new Date() },
  });
  if (!usage) throw new Error(`Run ${runId} was not finished: its status changed meanwhile.`);
  events.emit({
    type: 'STATUS',
    payload: { status: outcome.status, message: (outcome.message ?? outcome.error ?? outcome.stopReason ?? undefined)?.slice(0, 2000) },
  });
  if (outcome.error) events.emit({ type: 'ERROR', payload: { message: outcome.error.slice(0, 4000) } });
  events.emit({ type: 'COMPLETE', payload: { status: outcome.status, stopReason: outcome.stopReason, costUsd: usage.costUsd } });
  await events.flush();
  return usage;
}

export async function markInterrupted(writer: RunWriter, message: string): Promise<RunUsage> {
  const { db, runId, epoch, events } = writer;
  const usage = await writeRunStatus(db, runId, { to: 'INTERRUPTED', epoch, data: { workerId: null } });
  if (!usage) throw new Error(`Run ${runId} was not interrupted: its status changed meanwhile.`);
  events.emit({ type: 'STATUS', payload: { status: 'INTERRUPTED', message } });
  await events.flush();
  return usage;
}

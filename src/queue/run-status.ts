// Status transitions of a run, each written to Postgres and told as a STATUS event (COMPLETE for the final one).
import type { PrismaClient } from '../generated/prisma/client.js';
import type { EventSink } from '../events/types.js';

export type FinalStatus = 'SUCCEEDED' | 'STOPPED' | 'FAILED' | 'CANCELLED';

export async function finishRun(
  db: PrismaClient,
  events: EventSink,
  runId: string,
  outcome: { status: FinalStatus; stopReason: string | null; error?: string | null; message?: string },
): Promise<void> {
  // The status is written before the COMPLETE event, so a client that sees COMPLETE and reads the run sees it final.
  const run = await db.agentRun.update({
    where: { id: runId },
    data: { status: outcome.status, stopReason: outcome.stopReason, error: outcome.error ?? null, finishedAt: new Date() },
    select: { costUsd: true },
  });
  events.emit({
    type: 'STATUS',
    payload: { status: outcome.status, message: (outcome.message ?? outcome.error ?? outcome.stopReason ?? undefined)?.slice(0, 2000) },
  });
  if (outcome.error) events.emit({ type: 'ERROR', payload: { message: outcome.error.slice(0, 4000) } });
  events.emit({ type: 'COMPLETE', payload: { status: outcome.status, stopReason: outcome.stopReason, costUsd: Number(run.costUsd) } });
  await events.flush();
}

export async function markInterrupted(db: PrismaClient, events: EventSink, runId: string, message: string): Promise<void> {
  await db.agentRun.update({ where: { id: runId }, data: { status: 'INTERRUPTED', workerId: null } });
  events.emit({ type: 'STATUS', payload: { status: 'INTERRUPTED', message } });
  await events.flush();
}

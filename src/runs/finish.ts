// Status transitions of a run, each written to Postgres and told as a STATUS event (COMPLETE for the final one).
// With a lease epoch (src/runs/lease.ts) the status is written only while the epoch is still the writer's.
import type { PrismaClient } from '../generated/prisma/client.js';
import type { EventSink } from '../events/types.js';
import { RunOwnershipLostError } from '../events/sink.js';

export type FinalStatus = 'SUCCEEDED' | 'STOPPED' | 'FAILED' | 'CANCELLED';

export async function finishRun(
  db: PrismaClient,
  events: EventSink,
  runId: string,
  outcome: { status: FinalStatus; stopReason: string | null; error?: string | null; message?: string },
  epoch?: number,
): Promise<void> {
  // The status is written before the COMPLETE event, so a client that sees COMPLETE and reads the run sees it final.
  const written = await db.agentRun.updateMany({
    where: { id: runId, ...(epoch === undefined ? {} : { leaseEpoch: epoch }) },
    data: { status: outcome.status, stopReason: outcome.stopReason, error: outcome.error ?? null, finishedAt: new Date() },
  });
  if (written.count !== 1) throw new RunOwnershipLostError(runId, 0);
  const run = await db.agentRun.findUniqueOrThrow({ where: { id: runId }, select: { costUsd: true } });
  events.emit({
    type: 'STATUS',
    payload: { status: outcome.status, message: (outcome.message ?? outcome.error ?? outcome.stopReason ?? undefined)?.slice(0, 2000) },
  });
  if (outcome.error) events.emit({ type: 'ERROR', payload: { message: outcome.error.slice(0, 4000) } });
  events.emit({ type: 'COMPLETE', payload: { status: outcome.status, stopReason: outcome.stopReason, costUsd: Number(run.costUsd) } });
  await events.flush();
}

export async function markInterrupted(db: PrismaClient, events: EventSink, runId: string, message: string, epoch?: number): Promise<void> {
  const written = await db.agentRun.updateMany({
    where: { id: runId, ...(epoch === undefined ? {} : { leaseEpoch: epoch }) },
    data: { status: 'INTERRUPTED', workerId: null },
  });
  if (written.count !== 1) throw new RunOwnershipLostError(runId, 0);
  events.emit({ type: 'STATUS', payload: { status: 'INTERRUPTED', message } });
  await events.flush();
}

// Pause and resume. A pause is a request the worker honours between turns (no half-applied tool call): it
// checkpoints the conversation and ends its job with the run PAUSED, so a paused run holds no worker slot. Resume
// enqueues a new job; any worker continues from the checkpoint. A run with no worker holding it is paused here.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { conflict, notFound } from '../errors.js';
import { createRunEventSink } from '../events/sink.js';
import type { EventSink } from '../events/types.js';
import type { RunQueue } from '../queue/run-queue.js';

export type PauseReason = 'user' | 'budget' | 'rate_limited';

export interface PauseDeps {
  db: PrismaClient;
  redis: Redis;
  runQueue: RunQueue;
}

/** Writes PAUSED (the worker's side, and this module's when no worker holds the run) and tells it as a STATUS event. */
export async function markPaused(db: PrismaClient, events: EventSink, runId: string, reason: PauseReason, opts: { message: string; resumeAt?: Date | null }): Promise<void> {
  await db.agentRun.update({
    where: { id: runId },
    data: { status: 'PAUSED', pauseRequested: false, pausedReason: reason, resumeAt: opts.resumeAt ?? null, workerId: null },
  });
  events.emit({ type: 'STATUS', payload: { status: 'PAUSED', reason, message: opts.message.slice(0, 2000), resumeAt: opts.resumeAt?.toISOString() } });
  await events.flush();
}

/** Asks for a pause. A run no worker holds (queued, interrupted) is paused at once; a running one at its next turn. */
export async function pauseRun(deps: PauseDeps, runId: string): Promise<void> {
  const { db, runQueue } = deps;
  const run = await db.agentRun.findUnique({ where: { id: runId }, select: { status: true, projectId: true } });
  if (!run) throw notFound('Agent run');
  if (run.status === 'PAUSED') return;
  if (!['QUEUED', 'RUNNING', 'INTERRUPTED'].includes(run.status)) throw conflict(`This run already finished (${run.status}); only an active run can be paused.`);
  await db.agentRun.update({ where: { id: runId }, data: { pauseRequested: true } });
  if (!(await runQueue.removeIfNotActive(runId))) return; // the worker holding it pauses after the current turn
  const claimed = await db.agentRun.updateMany({ where: { id: runId, status: { in: ['QUEUED', 'INTERRUPTED'] } }, data: { status: 'PAUSED' } });
  if (claimed.count !== 1) return;
  await withSink(deps, runId, run.projectId, (sink) => markPaused(db, sink, runId, 'user', { message: 'Paused before a worker picked it up.' }));
}

/**
 * Continues a PAUSED run on any worker. `by` names who resumed it (a user, a message, the rate-limit timer). Returns
 * false when the run was not PAUSED (someone else resumed it first).
 */
export async function resumeRun(deps: PauseDeps, runId: string, by: string): Promise<boolean> {
  const { db, runQueue } = deps;
  const run = await db.agentRun.findUnique({ where: { id: runId }, select: { status: true, projectId: true } });
  if (!run) throw notFound('Agent run');
  if (run.status !== 'PAUSED') throw conflict(`Only a PAUSED run can be resumed; this one is ${run.status}.`);
  const claimed = await db.agentRun.updateMany({
    where: { id: runId, status: 'PAUSED' },
    data: { status: 'QUEUED', pausedReason: null, resumeAt: null, pauseRequested: false, workerId: null },
  });
  if (claimed.count !== 1) return false;
  await withSink(deps, runId, run.projectId, async (sink) => {
    sink.emit({ type: 'STATUS', payload: { status: 'QUEUED', message: `Resumed (${by}); waiting for a worker.` } });
    await sink.flush();
  });
  // The paused job may still be returning on its worker for a moment; a job id held by an active job cannot be added.
  for (let i = 0; i < 50 && (await runQueue.state(runId)) === 'active'; i++) await new Promise((r) => setTimeout(r, 100));
  await runQueue.requeue(runId);
  return true;
}

async function withSink(deps: PauseDeps, runId: string, projectId: string, write: (sink: EventSink) => Promise<void>): Promise<void> {
  const sink = await createRunEventSink({ db: deps.db, redis: deps.redis, runId, projectId });
  try {
    await write(sink);
  } finally {
    await sink.close().catch(() => {});
  }
}

// Pause and resume. A pause is a request the worker honours between turns (no half-applied tool call): it
// checkpoints the conversation and ends its job with the run PAUSED, so a paused run holds no worker slot. Resume
// enqueues a new job; any worker continues from the checkpoint. A run with no worker holding it is paused here.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { RunStatus } from '../events/types.js';
import { conflict, notFound } from '../errors.js';
import type { RunQueue } from '../queue/run-queue.js';
import { ignoreForbidden } from './transitions.js';
import { writeRunStatus, type RunUsage } from './status-update.js';
import { writeAsLeaseHolder, type RunWriter } from './writer.js';

export type PauseReason = 'user' | 'budget' | 'rate_limited';

export interface PauseDeps {
  db: PrismaClient;
  redis: Redis;
  runQueue: RunQueue;
}

/** How long a resume waits for the worker that paused the run to let its lease go. */
const RESUME_LEASE_WAIT_MS = 5000;

/**
 * Writes PAUSED and tells it as a STATUS event: the worker's side (from RUNNING), and this module's when no worker
 * holds the run (`from`). Returns null when the run was in none of the `from` statuses.
 */
export async function markPaused(
  writer: RunWriter,
  reason: PauseReason,
  opts: { message: string; resumeAt?: Date | null; from?: readonly RunStatus[] },
): Promise<RunUsage | null> {
  const usage = await writeRunStatus(writer.db, writer.runId, {
    to: 'PAUSED',
    from: opts.from,
    epoch: writer.epoch,
    data: { pauseRequested: false, pausedReason: reason, resumeAt: opts.resumeAt ?? null, workerId: null },
  });
  if (!usage) return null;
  writer.events.emit({ type: 'STATUS', payload: { status: 'PAUSED', reason, message: opts.message.slice(0, 2000), resumeAt: opts.resumeAt?.toISOString() } });
  await writer.events.flush();
  return usage;
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
  // No job is left: unless a live copy holds the lease (it pauses by the flag), this process pauses the run.
  await writeAsLeaseHolder(deps, { id: runId, projectId: run.projectId }, 'api-pause', (writer) =>
    markPaused(writer, 'user', { message: 'Paused before a worker picked it up.', from: ['QUEUED', 'INTERRUPTED'] }).catch(ignoreForbidden),
  );
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
  // The worker that paused the run lets its lease go right after telling it.
  const resumed = await writeAsLeaseHolder(
    deps,
    { id: runId, projectId: run.projectId },
    'api-resume',
    async (writer) => {
      const usage = await writeRunStatus(db, runId, {
        to: 'QUEUED',
        epoch: writer.epoch,
        data: { pausedReason: null, resumeAt: null, pauseRequested: false, workerId: null },
      }).catch(ignoreForbidden);
      if (!usage) return false;
      writer.events.emit({ type: 'STATUS', payload: { status: 'QUEUED', message: `Resumed (${by}); waiting for a worker.` } });
      await writer.events.flush();
      return true;
    },
    { waitMs: RESUME_LEASE_WAIT_MS },
  );
  if (resumed.held) throw conflict('The worker that paused this run still holds it; try again in a moment.');
  if (!resumed.result) return false;
  // The paused job may still be returning on its worker for a moment; a job id held by an active job cannot be added.
  for (let i = 0; i < 50 && (await runQueue.state(runId)) === 'active'; i++) await new Promise((r) => setTimeout(r, 100));
  await runQueue.requeue(runId);
  return true;
}


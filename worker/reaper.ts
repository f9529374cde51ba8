// Orphan reaping (at worker start-up and then periodically): runs left RUNNING by a process that died with no live
// BullMQ job become INTERRUPTED (told in a STATUS event) and are enqueued again; QUEUED runs whose job never reached
// Redis are enqueued. A RUNNING run whose job is active or waiting is left alone: a worker holds it or will resume it.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createRunEventSink } from '../src/events/sink.js';
import type { RunQueue } from '../src/queue/run-queue.js';
import { markInterrupted } from '../src/queue/run-status.js';
import { resumeRun } from '../src/queue/pause-run.js';
import { logger } from '../src/logger.js';

/** A rate-limited run's timer job fires at resumeAt; past this much later, the reaper resumes the run itself. */
const RESUME_GRACE_MS = 30_000;
/** A QUEUED run younger than this may still be between its INSERT and its enqueue in the API. */
const QUEUED_GRACE_MS = 10_000;
const NO_LIVE_JOB = new Set(['missing', 'completed', 'failed']);

export interface ReapResult {
  interrupted: string[];
  requeued: string[];
}

export async function reapOrphans(deps: { db: PrismaClient; redis: Redis; runQueue: RunQueue }): Promise<ReapResult> {
  const { db, redis, runQueue } = deps;
  const result: ReapResult = { interrupted: [], requeued: [] };
  const runs = await db.agentRun.findMany({
    where: { status: { in: ['RUNNING', 'INTERRUPTED', 'QUEUED'] } },
    select: { id: true, projectId: true, status: true, queuedAt: true, sessionsCompleted: true },
    orderBy: { queuedAt: 'asc' },
    take: 1000,
  });
  for (const run of runs) {
    try {
      const state = await runQueue.state(run.id);
      if (!NO_LIVE_JOB.has(state)) continue;
      if (run.status === 'QUEUED') {
        if (Date.now() - run.queuedAt.getTime() < QUEUED_GRACE_MS || state !== 'missing') continue;
        await runQueue.enqueue(run.id);
        result.requeued.push(run.id);
        continue;
      }
      if (run.status === 'RUNNING') {
        // Only one reaper wins the transition, and only the winner writes the event (no job: nobody else writes).
        const claimed = await db.agentRun.updateMany({ where: { id: run.id, status: 'RUNNING' }, data: { status: 'INTERRUPTED' } });
        if (claimed.count !== 1) continue;
        const sink = await createRunEventSink({ db, redis, runId: run.id, projectId: run.projectId });
        try {
          await markInterrupted(
            db,
            sink,
            run.id,
            `The process running this run stopped without finishing it; resuming after session ${run.sessionsCompleted}.`,
          );
        } finally {
          await sink.close().catch(() => {});
        }
        result.interrupted.push(run.id);
      }
      await runQueue.requeue(run.id);
      result.requeued.push(run.id);
    } catch (error) {
      logger.error({ err: error, runId: run.id }, 'could not reap the run');
    }
  }
  // Runs parked by a rate limit whose timer job is overdue (Redis lost it): resume them now.
  const overdue = await db.agentRun.findMany({
    where: { status: 'PAUSED', pausedReason: 'rate_limited', resumeAt: { lt: new Date(Date.now() - RESUME_GRACE_MS) } },
    select: { id: true },
    take: 1000,
  });
  for (const run of overdue) {
    try {
      if (await resumeRun({ db, redis, runQueue }, run.id, 'the rate limit is over')) result.requeued.push(run.id);
    } catch (error) {
      logger.error({ err: error, runId: run.id }, 'could not resume the rate-limited run');
    }
  }
  if (result.interrupted.length || result.requeued.length) logger.info(result, 'reaped orphaned runs');
  return result;
}

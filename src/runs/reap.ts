// Orphan reaping (at worker start-up and then every few seconds): a run that should be going on but has neither a
// live lease holder (src/runs/lease.ts) nor a live BullMQ job is enqueued again. A RUNNING one is first claimed and marked
// INTERRUPTED (told in a STATUS event). A run whose lease is held is left alone whatever Redis says: its holder is
// alive (a Redis restart may have lost its job; the holder finishes the run without it).
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { RunQueue } from '../queue/run-queue.js';
import { markInterrupted } from './holder-status.js';
import { writeAsLeaseHolder } from './writer.js';
import { ignoreForbidden } from './transitions.js';
import { resumeRun } from './pause.js';
import { logger } from '../logger.js';

/** A rate-limited run's timer job fires at resumeAt; past this much later, the reaper resumes the run itself. */
const RESUME_GRACE_MS = 30_000;
/**
 * A QUEUED run younger than this may still be between its INSERT and its enqueue in the API. Enqueueing is
 * idempotent (job id = run id), so this only saves a Redis round trip.
 */
const QUEUED_GRACE_MS = 1000;
const NO_LIVE_JOB = new Set(['missing', 'completed', 'failed']);

export interface ReapResult {
  interrupted: string[];
  requeued: string[];
}

export async function reapOrphans(deps: { db: PrismaClient; redis: Redis; runQueue: RunQueue; holder?: string }): Promise<ReapResult> {
  const { db, redis, runQueue } = deps;
  const result: ReapResult = { interrupted: [], requeued: [] };
  // Cheap: only runs nobody holds (lease free or expired) are looked at in Redis.
  const runs = await db.agentRun.findMany({
    where: {
      status: { in: ['RUNNING', 'INTERRUPTED', 'QUEUED'] },
      OR: [{ leaseOwner: null }, { leaseExpiresAt: null }, { leaseExpiresAt: { lt: new Date() } }],
    },
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
        // Only the lease holder writes (writer.ts): a copy that still runs somewhere can no longer write once the
        // epoch moved on.
        const message = `The process running this run stopped without finishing it; resuming after session ${run.sessionsCompleted}.`;
        const reaped = await writeAsLeaseHolder({ db, redis }, run, deps.holder ?? 'reaper', (writer) => markInterrupted(writer, message).catch(ignoreForbidden));
        if (reaped.held) continue;
        if (reaped.result) result.interrupted.push(run.id);
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

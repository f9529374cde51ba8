// The BullMQ job processor: one job is one delivery of a run (or a rate-limit timer). It claims the run's lease
// (fencing, src/runs/lease.ts) and hands each claimed attempt to run-attempt.ts, which owns the run's status around
// the agent runtime. A delivery of a run whose lease a live copy still renews (a Redis restart made BullMQ hand the
// job out again) does not start a second copy: it waits, then looks again later.
import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import type { RunStatus } from '../src/events/types.js';
import type { RunJobData } from '../src/queue/names.js';
import type { RunQueue } from '../src/queue/run-queue.js';
import { leaseMs, leaseOwnerName } from '../src/runs/lease.js';
import { resumeRun } from '../src/runs/pause.js';
import { dbRetryLimitMs, withDbRetries } from '../src/db/transient.js';
import { logger } from '../src/logger.js';
import type { RunMetrics } from '../src/metrics/run-metrics.js';
import type { AgentRuntime } from './agent/contract.js';
import type { ActiveRuns } from './active-runs.js';
import { acquireLease, waitForDatabase } from './lease-acquire.js';
import { runAttempt } from './run-attempt.js';
import { SHUTDOWN } from './abort-reasons.js';

/**
 * A job whose run is not in this worker's database belongs to another Shipyard sharing the queue: it goes back,
 * delayed, for its owner. After this many returns (about 10 minutes) it is taken to be an orphan and dropped.
 */
const FOREIGN_RETRY_MS = 2000;
const MAX_FOREIGN_BOUNCES = 300;

export interface ProcessorDeps {
  db: PrismaClient;
  redis: Redis;
  agentRuntime: AgentRuntime;
  workerId: string;
  activeRuns: ActiveRuns;
  /** Schedules the timer job that resumes a rate-limited run (and runs those timers). */
  runQueue: RunQueue;
  metrics: RunMetrics;
}

export type RunJobResult = { runId: string; status: RunStatus | 'SKIPPED' };

export function createRunProcessor(deps: ProcessorDeps) {
  const { db, workerId, activeRuns, metrics } = deps;

  return async function processRunJob(job: Job<RunJobData>, token?: string, signal?: AbortSignal): Promise<RunJobResult> {
    const { runId } = job.data;
    if (job.data.resume === 'scheduled') return resumeAfterRateLimit(deps, runId);
    const log = logger.child({ component: 'processor', runId, worker: workerId });

    const controller = new AbortController();
    const abort = (reason: unknown) => controller.abort(reason);
    signal?.addEventListener('abort', () => abort(signal.reason), { once: true });
    if (signal?.aborted) abort(signal.reason);
    const unregister = activeRuns.add(runId, abort);
    metrics.activeRuns.inc();
    const startedAt = Date.now();
    try {
      let afterOutage = false;
      for (;;) {
        const claim = await acquireLease(db, runId, leaseOwnerName(workerId), controller.signal);
        if (claim === 'missing') return leaveForItsOwner(job, token);
        if (claim === 'not-runnable') {
          log.info('run is paused or finished; job skipped');
          return { runId, status: 'SKIPPED' };
        }
        if (claim === 'busy' || claim === 'aborted') {
          if (claim === 'aborted' && controller.signal.reason !== SHUTDOWN) return { runId, status: 'SKIPPED' }; // the holder got the stop too
          // Another live copy holds the run: look again later instead of running it twice.
          log.info('run is held by another live copy; this delivery waits');
          if (!token) return { runId, status: 'SKIPPED' };
          await job.moveToDelayed(Date.now() + leaseMs(), token);
          throw new DelayedError();
        }
        const attempt = await runAttempt(deps, { job, token, jobSignal: controller.signal, lease: claim, afterOutage, startedAt });
        if ('result' in attempt) return attempt.result;
        afterOutage = true;
        await waitForDatabase(db, controller.signal);
        if (controller.signal.aborted && controller.signal.reason !== SHUTDOWN) return { runId, status: 'SKIPPED' };
      }
    } finally {
      unregister();
      metrics.activeRuns.dec();
    }
  };
}

/** A rate-limit timer: resumes the run (a new job under the run's id) if it is still parked. */
async function resumeAfterRateLimit(deps: ProcessorDeps, runId: string): Promise<RunJobResult> {
  const { db, redis, runQueue } = deps;
  const run = await withDbRetries(() => db.agentRun.findUnique({ where: { id: runId }, select: { status: true, pausedReason: true } }), dbRetryLimitMs());
  if (run?.status === 'PAUSED' && run.pausedReason === 'rate_limited') await resumeRun({ db, redis, runQueue }, runId, 'the rate limit is over').catch(() => false);
  return { runId, status: 'SKIPPED' };
}

/** The run is not in this database: another Shipyard shares the queue. Its job goes back, delayed, for its owner. */
async function leaveForItsOwner(job: Job<RunJobData>, token: string | undefined): Promise<RunJobResult> {
  const { runId } = job.data;
  const foreign = logger.child({ component: 'processor', runId, queue: job.queueName });
  const bounces = (job.data.foreignBounces ?? 0) + 1;
  if (bounces > MAX_FOREIGN_BOUNCES) {
    foreign.warn('run not in this database and no other worker took its job: dropped');
    return { runId, status: 'SKIPPED' };
  }
  if (bounces === 1) {
    foreign.warn(
      'job for a run that is not in this database: left for the Shipyard that owns it (another instance shares this queue on this Redis; give each its own SHIPYARD_QUEUE, or leave it unset)',
    );
  }
  await job.updateData({ ...job.data, foreignBounces: bounces });
  await job.moveToDelayed(Date.now() + FOREIGN_RETRY_MS, token);
  throw new DelayedError();
}

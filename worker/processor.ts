// The BullMQ job processor: claims the run's lease (fencing, src/queue/run-lease.ts), owns the run's status around
// the agent runtime (RunAgent) and turns aborts into CANCELLED (a user stopped it) or a checkpoint (this worker is
// shutting down: INTERRUPTED, job back to wait). A delivery of a run whose lease a live copy still renews (a Redis
// restart made BullMQ hand the job out again) does not start a second copy: it waits, then looks again later.
import { DelayedError, WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AgentRun, PrismaClient } from '../src/generated/prisma/client.js';
import { createRunEventSink, EventStoreUnavailableError, RunOwnershipLostError, type RunEventSink } from '../src/events/sink.js';
import { FINAL_RUN_STATUSES, type RunStatus } from '../src/events/types.js';
import type { RunJobData } from '../src/queue/names.js';
import { finishRun, markInterrupted } from '../src/queue/run-status.js';
import { claimLease, leaseMs, leaseOwnerName, LeaseLostError, RunLease } from '../src/queue/run-lease.js';
import { dbRetryLimitMs, isTransientDbError, withDbRetries } from '../src/db/transient.js';
import { markPaused, resumeRun, type PauseReason } from '../src/queue/pause-run.js';
import type { RunQueue } from '../src/queue/run-queue.js';
import { logger } from '../src/logger.js';
import type { AgentRunContext, RunAgent, RunOutcome } from './agent/contract.js';
import type { RunMetrics } from '../src/metrics/run-metrics.js';
import type { ActiveRuns } from './active-runs.js';
import { sandboxProvider } from './sandbox/provider.js';

/** Abort reasons: a relayed stopAgentRun, and a draining worker. */
export const STOP = 'stop';
export const SHUTDOWN = 'shutdown';
/** After an abort, how long the runtime gets to return before the processor finishes the run without it. */
const ABORT_GRACE_MS = 1500;
/**
 * A job whose run is not in this worker's database belongs to another Shipyard sharing the queue: it goes back,
 * delayed, for its owner. After this many returns (about 10 minutes) it is taken to be an orphan and dropped.
 */
const FOREIGN_RETRY_MS = 2000;
const MAX_FOREIGN_BOUNCES = 300;
/** While Postgres is unreachable after this copy stopped itself, how often it looks whether it is back. */
const DB_POLL_MS = 250;

export interface ProcessorDeps {
  db: PrismaClient;
  redis: Redis;
  runAgent: RunAgent;
  workerId: string;
  activeRuns: ActiveRuns;
  /** Schedules the timer job that resumes a rate-limited run (and runs those timers). */
  runQueue: RunQueue;
  metrics: RunMetrics;
}

export type RunJobResult = { runId: string; status: RunStatus | 'SKIPPED' };

/** How one attempt (one lease) ended: a result for BullMQ, or "Postgres went away: claim again once it is back". */
type Attempt = { result: RunJobResult } | { retry: true };

/** Said in every run's first STATUS event when agents' commands are not sandboxed. */
function sandboxNote(): string {
  return sandboxProvider().availability().kind === 'off' ? ' WARNING: commands run UNSANDBOXED on this worker (SHIPYARD_SANDBOX=off).' : '';
}

export function createRunProcessor(deps: ProcessorDeps) {
  const { db, redis, workerId, activeRuns, runQueue, metrics } = deps;

  return async function processRunJob(job: Job<RunJobData>, token?: string, signal?: AbortSignal): Promise<RunJobResult> {
    const { runId } = job.data;
    const run = await withDbRetries(() => db.agentRun.findUnique({ where: { id: runId } }), dbRetryLimitMs());
    if (!run) {
      const foreign = logger.child({ component: 'processor', runId, worker: workerId, queue: job.queueName });
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
    const log = logger.child({ component: 'processor', runId, projectId: run.projectId, worker: workerId });
    if (job.data.resume === 'scheduled') {
      // A rate-limit timer: resume the run (a new job under the run's id) if it is still parked.
      if (run.status === 'PAUSED' && run.pausedReason === 'rate_limited') await resumeRun({ db, redis, runQueue }, runId, 'the rate limit is over').catch(() => false);
      return { runId, status: 'SKIPPED' };
    }
    if (run.status === 'PAUSED') {
      log.info('run is paused; job skipped');
      return { runId, status: 'SKIPPED' };
    }
    if (FINAL_RUN_STATUSES.includes(run.status as RunStatus)) {
      log.info({ status: run.status }, 'run already finished; job skipped');
      return { runId, status: 'SKIPPED' };
    }

    const controller = new AbortController();
    const abort = (reason: unknown) => controller.abort(reason);
    signal?.addEventListener('abort', () => abort(signal.reason), { once: true });
    if (signal?.aborted) abort(signal.reason);
    const unregister = activeRuns.add(runId, abort);
    metrics.activeRuns.inc();
    const startedAt = Date.now();
    const finished = (status: string, detail: { stopReason?: string | null; error?: string | null } = {}) => {
      metrics.runsFinished.inc({ status });
      metrics.runDuration.observe({ status }, (Date.now() - startedAt) / 1000);
      log.info({ status, stopReason: detail.stopReason ?? null, error: detail.error ?? null, durationMs: Date.now() - startedAt }, 'run finished');
    };
    try {
      let afterOutage = false;
      for (;;) {
        const owner = leaseOwnerName(workerId);
        const claim = await acquire(runId, owner, controller.signal);
        if (claim === 'final') return { runId, status: 'SKIPPED' };
        if (claim === 'busy' || claim === 'aborted') {
          if (claim === 'aborted' && controller.signal.reason !== SHUTDOWN) return { runId, status: 'SKIPPED' }; // the holder got the stop too
          // Another live copy holds the run: look again later instead of running it twice.
          log.info({ runId }, 'run is held by another live copy; this delivery waits');
          if (!token) return { runId, status: 'SKIPPED' };
          await job.moveToDelayed(Date.now() + leaseMs(), token);
          throw new DelayedError();
        }
        const attempt = await runAttempt(job, token, controller.signal, claim, afterOutage, log, finished);
        if ('result' in attempt) return attempt.result;
        afterOutage = true;
        await waitForDatabase(controller.signal);
        if (controller.signal.aborted && controller.signal.reason !== SHUTDOWN) return { runId, status: 'SKIPPED' };
      }
    } finally {
      unregister();
      metrics.activeRuns.dec();
      await countUsage(db, metrics, run).catch((error) => log.warn({ err: error }, 'could not read the run usage for metrics'));
    }
  };

  /**
   * Claims the run's lease. A lease that is held is waited for until it expires (its holder died) or for one lease
   * period, whichever comes first; still held then means a live holder renews it: 'busy'.
   */
  async function acquire(runId: string, owner: string, signal: AbortSignal): Promise<RunLease | 'busy' | 'final' | 'aborted'> {
    const giveUpAt = Date.now() + leaseMs() + 1000;
    for (;;) {
      if (signal.aborted) return 'aborted';
      const sentAt = Date.now();
      const claim = await withDbRetries(() => claimLease(db, runId, owner), dbRetryLimitMs(), signal);
      if (claim.status === 'claimed') return new RunLease(db, runId, owner, claim.epoch, sentAt);
      if (claim.status === 'missing') return 'final';
      const row = await withDbRetries(() => db.agentRun.findUnique({ where: { id: runId }, select: { status: true } }), dbRetryLimitMs());
      if (!row || FINAL_RUN_STATUSES.includes(row.status as RunStatus)) return 'final';
      if (Date.now() + claim.remainingMs > giveUpAt) return 'busy';
      await delay(Math.min(250, claim.remainingMs + 20), signal);
    }
  }

  async function waitForDatabase(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await db.$queryRaw`SELECT 1`;
        return;
      } catch {
        await delay(DB_POLL_MS, signal);
      }
    }
  }

  async function runAttempt(
    job: Job<RunJobData>,
    token: string | undefined,
    jobSignal: AbortSignal,
    lease: RunLease,
    afterOutage: boolean,
    log: typeof logger,
    finished: (status: string, detail?: { stopReason?: string | null; error?: string | null }) => void,
  ): Promise<Attempt> {
    const { runId } = job.data;
    const { epoch } = lease;
    const controller = new AbortController();
    const abort = (reason: unknown) => controller.abort(reason);
    const onJobAbort = () => abort(jobSignal.reason);
    const onLeaseLost = () => abort(lease.signal.reason);
    jobSignal.addEventListener('abort', onJobAbort, { once: true });
    lease.signal.addEventListener('abort', onLeaseLost, { once: true });
    if (jobSignal.aborted) onJobAbort();
    let sink: RunEventSink | undefined;
    try {
      const run = await db.agentRun.findUnique({ where: { id: runId } });
      if (!run || FINAL_RUN_STATUSES.includes(run.status as RunStatus)) return { result: { runId, status: 'SKIPPED' } };
      sink = await createRunEventSink({ db, redis: deps.redis, runId, projectId: run.projectId, epoch, onFailure: abort, onEmit: (type) => metrics.events.inc({ type }) });
      if (run.stopRequested || controller.signal.reason === STOP) {
        await finishRun(db, sink, runId, { status: 'CANCELLED', stopReason: 'stopped', message: 'Stopped before it started on a worker.' }, epoch);
        finished('CANCELLED', { stopReason: 'stopped' });
        return { result: { runId, status: 'CANCELLED' } };
      }
      if (run.status === 'RUNNING') {
        log.info({ previousWorker: run.workerId, sessionsCompleted: run.sessionsCompleted, afterOutage }, 'run resumed after its previous copy went away');
        sink.emit({
          type: 'STATUS',
          payload: {
            status: 'INTERRUPTED',
            message: afterOutage ? 'Postgres was unreachable for too long, so this copy stopped itself; resuming.' : 'The worker running this run went away; resuming.',
          },
        });
      }
      const started = await db.agentRun.updateMany({
        where: { id: runId, leaseEpoch: epoch },
        data: { status: 'RUNNING', startedAt: run.startedAt ?? new Date(), workerId },
      });
      if (started.count !== 1) throw new RunOwnershipLostError(runId, sink.lastSeq);
      const resuming = run.sessionsCompleted > 0 || run.status !== 'QUEUED' || run.startedAt !== null;
      sink.emit({
        type: 'STATUS',
        payload: {
          status: 'RUNNING',
          message: (resuming ? `Resumed on worker ${workerId} after session ${run.sessionsCompleted}.` : `Started on worker ${workerId}.`) + sandboxNote(),
        },
      });
      await sink.flush();
      log.info({ resuming, sessionsCompleted: run.sessionsCompleted, epoch }, resuming ? 'run resumed' : 'run started');

      const onSessionEnd: AgentRunContext['onSessionEnd'] = (session) => {
        metrics.sessionDuration.observe({ kind: session.kind }, session.durationMs / 1000);
        log.info({ session: session.number, kind: session.kind, turns: session.turns, stopReason: session.stopReason, newlyPassing: session.newlyPassing, durationMs: session.durationMs }, 'session ended');
      };
      const outcome = await runAgentUntilAborted(deps.runAgent, { runId, db, events: sink, signal: controller.signal, lease, onSessionEnd });
      const lost = lostReason(lease, sink);
      if (lost) return lost;

      if (controller.signal.aborted && controller.signal.reason === SHUTDOWN) {
        log.info('run checkpointed: this worker is shutting down');
        await markInterrupted(db, sink, runId, `Worker ${workerId} is shutting down; the run resumes from its last finished session.`, epoch);
        await sink.close();
        await lease.release();
        await moveBackToWait(job, token);
        throw new WaitingError();
      }
      if (outcome.status === 'PAUSED' && !controller.signal.aborted) {
        const reason = (['user', 'budget', 'rate_limited'] as const).find((r) => r === outcome.stopReason) ?? 'user';
        await markPaused(db, sink, runId, reason, { message: pauseMessage(reason, outcome.resumeAt, outcome.detail), resumeAt: outcome.resumeAt });
        if (outcome.resumeAt) await runQueue.scheduleResume(runId, outcome.resumeAt);
        log.info({ reason, resumeAt: outcome.resumeAt ?? null }, 'run paused');
        return { result: { runId, status: 'PAUSED' } };
      }
      const stopped = controller.signal.aborted || outcome.status === 'CANCELLED';
      if (stopped) {
        await finishRun(db, sink, runId, { status: 'CANCELLED', stopReason: outcome.stopReason ?? 'stopped', message: 'Stopped by a user.' }, epoch);
        finished('CANCELLED', { stopReason: outcome.stopReason ?? 'stopped' });
        return { result: { runId, status: 'CANCELLED' } };
      }
      const final = outcome.status === 'PAUSED' ? 'CANCELLED' : outcome.status;
      await finishRun(db, sink, runId, { status: final, stopReason: outcome.stopReason, error: outcome.error }, epoch);
      finished(final, outcome);
      return { result: { runId, status: final } };
    } catch (error) {
      if (error instanceof WaitingError) throw error;
      const lost = lostReason(lease, sink) ?? asLost(error);
      if (lost) return lost;
      log.error({ err: error }, 'run failed in the processor');
      if (sink) {
        await finishRun(db, sink, runId, { status: 'FAILED', stopReason: 'error', error: `Internal error: ${(error as Error).message}` }, epoch).catch(
          (e) => log.error({ err: e }, 'could not record the failure'),
        );
      }
      finished('FAILED', { stopReason: 'error', error: (error as Error).message });
      return { result: { runId, status: 'FAILED' } };
    } finally {
      jobSignal.removeEventListener('abort', onJobAbort);
      await sink?.close().catch(() => {});
      await lease.release();
    }

    function lostReason(lease: RunLease, sink: RunEventSink | undefined): Attempt | null {
      const reason = lease.signal.aborted ? lease.signal.reason : sink?.failure;
      return reason ? asLost(reason) : null;
    }

    /** Another holder claimed the run: write nothing more. Postgres was gone too long: claim again once it is back. */
    function asLost(error: unknown): Attempt | null {
      if (error instanceof LeaseLostError && error.kind === 'expired') return { retry: true };
      if (error instanceof EventStoreUnavailableError || isTransientDbError(error)) return { retry: true };
      if (error instanceof LeaseLostError || error instanceof RunOwnershipLostError) {
        log.warn({ epoch, err: error }, 'run left to its new owner: another copy holds it now');
        return { result: { runId, status: 'SKIPPED' } };
      }
      return null;
    }
  }

  /** A checkpointed run goes back to wait; if this worker no longer holds the job (Redis lost it), the reaper re-enqueues it. */
  async function moveBackToWait(job: Job<RunJobData>, token: string | undefined): Promise<void> {
    try {
      await job.moveToWait(token);
    } catch (error) {
      logger.warn({ runId: job.data.runId, err: error }, 'could not move the job back to wait; the reaper will re-enqueue the run');
    }
  }
}

function pauseMessage(reason: PauseReason, resumeAt: Date | undefined, detail: string | undefined): string {
  if (reason === 'budget') return `Paused: ${detail ?? 'the budget'} is spent. Raise it (updateAgentRun, updateProject or updateViewer) and resume.`;
  if (reason === 'rate_limited') return `Paused by the API's rate limit; resumes by itself at ${resumeAt?.toISOString() ?? 'a later time'}.`;
  return 'Paused after its current turn; resumeAgentRun continues from here.';
}

/**
 * Runs the agent; a throw becomes FAILED unless the run was aborted. Once aborted, the runtime gets ABORT_GRACE_MS to
 * return (it should return at once: the signal reaches its model stream and child processes) before we move on.
 */
async function runAgentUntilAborted(runAgent: RunAgent, ctx: Parameters<RunAgent>[0]): Promise<RunOutcome> {
  const running = runAgent(ctx).catch((error: unknown): RunOutcome => {
    if (ctx.signal.aborted) return { status: 'CANCELLED', stopReason: 'stopped' };
    if (isTransientDbError(error)) throw error; // Postgres went away: the processor resumes the run once it is back
    return { status: 'FAILED', stopReason: 'error', error: error instanceof Error ? error.message : String(error) };
  });
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<RunOutcome>((resolve) => {
    const onAbort = () => {
      timer = setTimeout(() => resolve({ status: 'CANCELLED', stopReason: 'stopped' }), ABORT_GRACE_MS);
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([running, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

type UsageRow = Pick<AgentRun, 'inputTokens' | 'outputTokens' | 'cacheReadInputTokens' | 'cacheCreationInputTokens' | 'costUsd'>;

/** Adds what this job used (the run's totals now minus when the job began) to the token and cost counters. */
async function countUsage(db: PrismaClient, metrics: RunMetrics, before: UsageRow & { id: string }): Promise<void> {
  const after = await db.agentRun.findUnique({
    where: { id: before.id },
    select: { inputTokens: true, outputTokens: true, cacheReadInputTokens: true, cacheCreationInputTokens: true, costUsd: true },
  });
  if (!after) return;
  const add = (kind: string, delta: number) => delta > 0 && metrics.tokens.inc({ kind }, delta);
  add('input', after.inputTokens - before.inputTokens);
  add('output', after.outputTokens - before.outputTokens);
  add('cache_read', after.cacheReadInputTokens - before.cacheReadInputTokens);
  add('cache_write', after.cacheCreationInputTokens - before.cacheCreationInputTokens);
  const cost = Number(after.costUsd) - Number(before.costUsd);
  if (cost > 0) metrics.costUsd.inc(cost);
}

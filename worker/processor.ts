// The BullMQ job processor: owns a run's status around the agent runtime (RunAgent) and turns aborts into
// CANCELLED (a user stopped it) or a checkpoint (this worker is shutting down: INTERRUPTED, job back to wait).
import { DelayedError, WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AgentRun, PrismaClient } from '../src/generated/prisma/client.js';
import { createRunEventSink, type RunEventSink } from '../src/events/sink.js';
import { FINAL_RUN_STATUSES, type RunStatus } from '../src/events/types.js';
import type { RunJobData } from '../src/queue/names.js';
import { finishRun, markInterrupted } from '../src/queue/run-status.js';
import { markPaused, resumeRun, type PauseReason } from '../src/queue/pause-run.js';
import type { RunQueue } from '../src/queue/run-queue.js';
import { logger } from '../src/logger.js';
import type { AgentRunContext, RunAgent, RunOutcome } from './agent/contract.js';
import type { RunMetrics } from '../src/metrics/run-metrics.js';
import { sandboxProvider } from './sandbox/provider.js';

/** Abort reasons: `worker.cancelJob(runId, STOP)` for stopAgentRun, `cancelAllJobs(SHUTDOWN)` for a draining worker. */
export const STOP = 'stop';
export const SHUTDOWN = 'shutdown';
/** After an abort, how long the runtime gets to return before the processor finishes the run without it. */
export const ABORT_GRACE_MS = 1500;
/**
 * A job whose run is not in this worker's database belongs to another Shipyard sharing the queue: it goes back,
 * delayed, for its owner. After this many returns (about 10 minutes) it is taken to be an orphan and dropped.
 */
export const FOREIGN_RETRY_MS = 2000;
export const MAX_FOREIGN_BOUNCES = 300;

export interface ProcessorDeps {
  db: PrismaClient;
  redis: Redis;
  runAgent: RunAgent;
  workerId: string;
  /** Schedules the timer job that resumes a rate-limited run (and runs those timers). */
  runQueue: RunQueue;
  metrics: RunMetrics;
}

export type RunJobResult = { runId: string; status: RunStatus | 'SKIPPED' };

/** Said in every run's first STATUS event when agents' commands are not sandboxed. */
function sandboxNote(): string {
  return sandboxProvider().availability().kind === 'off' ? ' WARNING: commands run UNSANDBOXED on this worker (SHIPYARD_SANDBOX=off).' : '';
}

export function createRunProcessor(deps: ProcessorDeps) {
  const { db, redis, runAgent, workerId, runQueue, metrics } = deps;

  return async function processRunJob(job: Job<RunJobData>, token?: string, signal?: AbortSignal): Promise<RunJobResult> {
    const { runId } = job.data;
    const run = await db.agentRun.findUnique({ where: { id: runId } });
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
    metrics.activeRuns.inc();
    const startedAt = Date.now();
    const finished = (status: string, detail: { stopReason?: string | null; error?: string | null } = {}) => {
      metrics.runsFinished.inc({ status });
      metrics.runDuration.observe({ status }, (Date.now() - startedAt) / 1000);
      log.info({ status, stopReason: detail.stopReason ?? null, error: detail.error ?? null, durationMs: Date.now() - startedAt }, 'run finished');
    };

    const controller = new AbortController();
    const abort = (reason: unknown) => controller.abort(reason);
    signal?.addEventListener('abort', () => abort(signal.reason), { once: true });
    if (signal?.aborted) abort(signal.reason);
    const sink = await createRunEventSink({ db, redis, runId, projectId: run.projectId, onFailure: abort, onEmit: (type) => metrics.events.inc({ type }) });
    try {
      if (run.stopRequested || controller.signal.reason === STOP) {
        await finishRun(db, sink, runId, { status: 'CANCELLED', stopReason: 'stopped', message: 'Stopped before it started on a worker.' });
        finished('CANCELLED', { stopReason: 'stopped' });
        return { runId, status: 'CANCELLED' };
      }
      if (run.status === 'RUNNING') {
        // Its previous worker died holding the job (BullMQ's stalled check gave the job to us).
        log.info({ previousWorker: run.workerId, sessionsCompleted: run.sessionsCompleted }, 'run resumed after its worker went away');
        sink.emit({ type: 'STATUS', payload: { status: 'INTERRUPTED', message: 'The worker running this run went away; resuming.' } });
      }
      await db.agentRun.update({
        where: { id: runId },
        data: { status: 'RUNNING', startedAt: run.startedAt ?? new Date(), workerId },
      });
      const resuming = run.sessionsCompleted > 0 || run.status !== 'QUEUED' || run.startedAt !== null;
      sink.emit({
        type: 'STATUS',
        payload: {
          status: 'RUNNING',
          message: (resuming ? `Resumed on worker ${workerId} after session ${run.sessionsCompleted}.` : `Started on worker ${workerId}.`) + sandboxNote(),
        },
      });
      await sink.flush();
      log.info({ resuming, sessionsCompleted: run.sessionsCompleted }, resuming ? 'run resumed' : 'run started');

      const onSessionEnd: AgentRunContext['onSessionEnd'] = (session) => {
        metrics.sessionDuration.observe({ kind: session.kind }, session.durationMs / 1000);
        log.info({ session: session.number, kind: session.kind, turns: session.turns, stopReason: session.stopReason, newlyPassing: session.newlyPassing, durationMs: session.durationMs }, 'session ended');
      };
      const outcome = await runAgentUntilAborted(runAgent, { runId, db, events: sink, signal: controller.signal, onSessionEnd });
      if (sink.failure) {
        log.warn({ err: sink.failure }, 'run left to its new owner');
        return { runId, status: 'SKIPPED' }; // another writer owns the run now: write nothing more
      }

      if (controller.signal.aborted && controller.signal.reason === SHUTDOWN) {
        log.info('run checkpointed: this worker is shutting down');
        await markInterrupted(db, sink, runId, `Worker ${workerId} is shutting down; the run resumes from its last finished session.`);
        await sink.close();
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (outcome.status === 'PAUSED' && !controller.signal.aborted) {
        const reason = (['user', 'budget', 'rate_limited'] as const).find((r) => r === outcome.stopReason) ?? 'user';
        await markPaused(db, sink, runId, reason, { message: pauseMessage(reason, outcome.resumeAt, outcome.detail), resumeAt: outcome.resumeAt });
        if (outcome.resumeAt) await runQueue.scheduleResume(runId, outcome.resumeAt);
        log.info({ reason, resumeAt: outcome.resumeAt ?? null }, 'run paused');
        return { runId, status: 'PAUSED' };
      }
      const stopped = controller.signal.aborted || outcome.status === 'CANCELLED';
      if (stopped) {
        await finishRun(db, sink, runId, { status: 'CANCELLED', stopReason: outcome.stopReason ?? 'stopped', message: 'Stopped by a user.' });
        finished('CANCELLED', { stopReason: outcome.stopReason ?? 'stopped' });
        return { runId, status: 'CANCELLED' };
      }
      const final = outcome.status === 'PAUSED' ? 'CANCELLED' : outcome.status;
      await finishRun(db, sink, runId, { status: final, stopReason: outcome.stopReason, error: outcome.error });
      finished(final, outcome);
      return { runId, status: final };
    } catch (error) {
      if (error instanceof WaitingError || sink.failure) throw error;
      log.error({ err: error }, 'run failed in the processor');
      await finishRun(db, sink, runId, { status: 'FAILED', stopReason: 'error', error: `Internal error: ${(error as Error).message}` }).catch(
        (e) => log.error({ err: e }, 'could not record the failure'),
      );
      finished('FAILED', { stopReason: 'error', error: (error as Error).message });
      return { runId, status: 'FAILED' };
    } finally {
      metrics.activeRuns.dec();
      await sink.close().catch(() => {});
      await countUsage(db, metrics, run).catch((error) => log.warn({ err: error }, 'could not read the run usage for metrics'));
    }
  };
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

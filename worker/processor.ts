// The BullMQ job processor: owns a run's status around the agent runtime (RunAgent) and turns aborts into
// CANCELLED (a user stopped it) or a checkpoint (this worker is shutting down: INTERRUPTED, job back to wait).
import { WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createRunEventSink, type RunEventSink } from '../src/events/sink.js';
import { FINAL_RUN_STATUSES, type RunStatus } from '../src/events/types.js';
import type { RunJobData } from '../src/queue/names.js';
import { finishRun, markInterrupted } from '../src/queue/run-status.js';
import { logger } from '../src/logger.js';
import type { RunAgent, RunOutcome } from './agent/contract.js';
import { sandboxProvider } from './sandbox/provider.js';

/** Abort reasons: `worker.cancelJob(runId, STOP)` for stopAgentRun, `cancelAllJobs(SHUTDOWN)` for a draining worker. */
export const STOP = 'stop';
export const SHUTDOWN = 'shutdown';
/** After an abort, how long the runtime gets to return before the processor finishes the run without it. */
export const ABORT_GRACE_MS = 1500;

export interface ProcessorDeps {
  db: PrismaClient;
  redis: Redis;
  runAgent: RunAgent;
  workerId: string;
}

export type RunJobResult = { runId: string; status: RunStatus | 'SKIPPED' };

/** Said in every run's first STATUS event when agents' commands are not sandboxed. */
function sandboxNote(): string {
  return sandboxProvider().availability().kind === 'off' ? ' WARNING: commands run UNSANDBOXED on this worker (SHIPYARD_SANDBOX=off).' : '';
}

export function createRunProcessor(deps: ProcessorDeps) {
  const { db, redis, runAgent, workerId } = deps;
  const log = logger.child({ component: 'processor', workerId });

  return async function processRunJob(job: Job<RunJobData>, token?: string, signal?: AbortSignal): Promise<RunJobResult> {
    const { runId } = job.data;
    const run = await db.agentRun.findUnique({ where: { id: runId } });
    if (!run) return { runId, status: 'SKIPPED' };
    if (FINAL_RUN_STATUSES.includes(run.status as RunStatus)) {
      log.info({ runId, status: run.status }, 'run already finished; job skipped');
      return { runId, status: 'SKIPPED' };
    }

    const controller = new AbortController();
    const abort = (reason: unknown) => controller.abort(reason);
    signal?.addEventListener('abort', () => abort(signal.reason), { once: true });
    if (signal?.aborted) abort(signal.reason);
    const sink = await createRunEventSink({ db, redis, runId, projectId: run.projectId, onFailure: abort });
    try {
      if (run.stopRequested || controller.signal.reason === STOP) {
        await finishRun(db, sink, runId, { status: 'CANCELLED', stopReason: 'stopped', message: 'Stopped before it started on a worker.' });
        return { runId, status: 'CANCELLED' };
      }
      if (run.status === 'RUNNING') {
        // Its previous worker died holding the job (BullMQ's stalled check gave the job to us).
        sink.emit({ type: 'STATUS', payload: { status: 'INTERRUPTED', message: 'The worker running this run went away; resuming.' } });
      }
      await db.agentRun.update({
        where: { id: runId },
        data: { status: 'RUNNING', startedAt: run.startedAt ?? new Date(), workerId },
      });
      const resuming = run.sessionsCompleted > 0 || run.status !== 'QUEUED';
      sink.emit({
        type: 'STATUS',
        payload: {
          status: 'RUNNING',
          message: (resuming ? `Resumed on worker ${workerId} after session ${run.sessionsCompleted}.` : `Started on worker ${workerId}.`) + sandboxNote(),
        },
      });
      await sink.flush();

      const outcome = await runAgentUntilAborted(runAgent, { runId, db, events: sink, signal: controller.signal });
      if (sink.failure) return { runId, status: 'SKIPPED' }; // another writer owns the run now: write nothing more

      if (controller.signal.aborted && controller.signal.reason === SHUTDOWN) {
        await markInterrupted(db, sink, runId, `Worker ${workerId} is shutting down; the run resumes from its last finished session.`);
        await sink.close();
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const stopped = controller.signal.aborted || outcome.status === 'CANCELLED';
      if (stopped) {
        await finishRun(db, sink, runId, { status: 'CANCELLED', stopReason: outcome.stopReason ?? 'stopped', message: 'Stopped by a user.' });
        return { runId, status: 'CANCELLED' };
      }
      await finishRun(db, sink, runId, { status: outcome.status, stopReason: outcome.stopReason, error: outcome.error });
      return { runId, status: outcome.status };
    } catch (error) {
      if (error instanceof WaitingError || sink.failure) throw error;
      log.error({ err: error, runId }, 'run failed in the processor');
      await finishRun(db, sink, runId, { status: 'FAILED', stopReason: 'error', error: `Internal error: ${(error as Error).message}` }).catch(
        (e) => log.error({ err: e, runId }, 'could not record the failure'),
      );
      return { runId, status: 'FAILED' };
    } finally {
      await sink.close().catch(() => {});
    }
  };
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

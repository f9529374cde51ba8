// One attempt at a run under one claimed lease: read the run once (the job's snapshot, handed to the runtime too),
// cancel it if a stop came first, write RUNNING, run the agent runtime, and write how it ended (run-outcome.ts).
// A stop arrives as an abort: relayed over Redis (cancel-listener.ts) or, should that be lost, noticed by a lease
// renewal. A shutdown checkpoints the run (INTERRUPTED, job back to wait). A lost lease ends the attempt without
// writing; Postgres gone too long ends it with { retry } so the processor claims again once it is back.
import { WaitingError, type Job } from 'bullmq';
import { createRunEventSink, EventStoreUnavailableError, RunOwnershipLostError, type RunEventSink } from '../src/events/sink.js';
import { FINAL_RUN_STATUSES } from '../src/events/types.js';
import type { RunJobData } from '../src/queue/names.js';
import { finishRun, markInterrupted, markRunning } from '../src/runs/holder-status.js';
import { LeaseLostError, type RunLease } from '../src/runs/lease.js';
import { readRunSnapshot, type RunSnapshot } from '../src/runs/snapshot.js';
import type { RunUsage } from '../src/runs/status-update.js';
import type { RunWriter } from '../src/runs/writer.js';
import { isTransientDbError } from '../src/db/transient.js';
import { logger } from '../src/logger.js';
import type { AgentRuntimeContext } from './agent/contract.js';
import { SHUTDOWN, STOP } from './abort-reasons.js';
import type { ProcessorDeps, RunJobResult } from './processor.js';
import { countUsage, runtimeUntilAborted, writeOutcome } from './run-outcome.js';
import { sandboxProvider } from './sandbox/provider.js';

/** How one attempt (one lease) ended: a result for BullMQ, or "Postgres went away: claim again once it is back". */
export type Attempt = { result: RunJobResult } | { retry: true };

export interface AttemptInput {
  job: Job<RunJobData>;
  token: string | undefined;
  /** Aborted by a relayed stop (STOP) or the worker's shutdown (SHUTDOWN). */
  jobSignal: AbortSignal;
  lease: RunLease;
  /** The previous attempt of this job stopped itself because Postgres was unreachable. */
  afterOutage: boolean;
  /** When the job began (run duration metrics). */
  startedAt: number;
}

export async function runAttempt(deps: ProcessorDeps, input: AttemptInput): Promise<Attempt> {
  const { db, workerId, metrics } = deps;
  const { job, token, jobSignal, lease } = input;
  const { runId } = job.data;
  const controller = new AbortController();
  const abort = (reason: unknown) => controller.abort(reason);
  const onJobAbort = () => abort(jobSignal.reason);
  jobSignal.addEventListener('abort', onJobAbort, { once: true });
  lease.signal.addEventListener('abort', () => abort(lease.signal.reason), { once: true });
  lease.whenStopRequested(() => abort(STOP));
  if (jobSignal.aborted) onJobAbort();
  let log = logger.child({ component: 'processor', runId, worker: workerId });
  const finished = (status: string, detail: { stopReason?: string | null; error?: string | null } = {}) => {
    metrics.runsFinished.inc({ status });
    metrics.runDuration.observe({ status }, (Date.now() - input.startedAt) / 1000);
    log.info({ status, stopReason: detail.stopReason ?? null, error: detail.error ?? null, durationMs: Date.now() - input.startedAt }, 'run finished');
  };
  let run: RunSnapshot | null = null;
  let sink: RunEventSink | undefined;
  /** The run's usage totals after this attempt's last status write. */
  let usage: RunUsage | null = null;
  try {
    run = await readRunSnapshot(db, runId);
    if (!run || run.status === 'PAUSED' || FINAL_RUN_STATUSES.includes(run.status)) {
      log.info({ status: run?.status ?? null }, 'run is paused or finished; job skipped');
      return { result: { runId, status: 'SKIPPED' } };
    }
    log = log.child({ projectId: run.projectId });
    sink = await createRunEventSink({ db, redis: deps.redis, runId, projectId: run.projectId, epoch: lease.epoch, onFailure: abort, onEmit: (type) => metrics.events.inc({ type }) });
    const writer: RunWriter = { db, runId, epoch: lease.epoch, events: sink };
    if (run.stopRequested || controller.signal.reason === STOP) {
      usage = await finishRun(writer, { status: 'CANCELLED', stopReason: 'stopped', message: 'Stopped before it started on a worker.' });
      finished('CANCELLED', { stopReason: 'stopped' });
      return { result: { runId, status: 'CANCELLED' } };
    }
    await start(writer, run, input.afterOutage, workerId, log);

    const onSessionEnd: AgentRuntimeContext['onSessionEnd'] = (session) => {
      metrics.sessionDuration.observe({ kind: session.kind }, session.durationMs / 1000);
      log.info({ session: session.number, kind: session.kind, turns: session.turns, stopReason: session.stopReason, newlyPassing: session.newlyPassing, durationMs: session.durationMs }, 'session ended');
    };
    const outcome = await runtimeUntilAborted(deps.agentRuntime, { runId, run, db, events: sink, signal: controller.signal, lease, onSessionEnd });
    const lost = lostReason();
    if (lost) return lost;

    if (controller.signal.aborted && controller.signal.reason === SHUTDOWN) {
      log.info('run checkpointed: this worker is shutting down');
      usage = await markInterrupted(writer, `Worker ${workerId} is shutting down; the run resumes from its last finished session.`);
      await sink.close();
      await lease.release();
      await moveBackToWait(job, token);
      throw new WaitingError();
    }
    const written = await writeOutcome(writer, outcome, controller.signal.aborted, { runQueue: deps.runQueue, log });
    usage = written.usage;
    if (written.status !== 'PAUSED') finished(written.status, written);
    return { result: { runId, status: written.status } };
  } catch (error) {
    if (error instanceof WaitingError) throw error;
    const lost = lostReason() ?? asLost(error);
    if (lost) return lost;
    log.error({ err: error }, 'run failed in the processor');
    if (sink) {
      const writer: RunWriter = { db, runId, epoch: lease.epoch, events: sink };
      usage = await finishRun(writer, { status: 'FAILED', stopReason: 'error', error: `Internal error: ${(error as Error).message}` }).catch((e) => {
        log.error({ err: e }, 'could not record the failure');
        return null;
      });
    }
    finished('FAILED', { stopReason: 'error', error: (error as Error).message });
    return { result: { runId, status: 'FAILED' } };
  } finally {
    jobSignal.removeEventListener('abort', onJobAbort);
    await sink?.close().catch(() => {});
    await lease.release();
    if (run) await countUsage(db, metrics, run, usage).catch((error) => log.warn({ err: error }, 'could not read the run usage for metrics'));
  }

  function lostReason(): Attempt | null {
    const reason = lease.signal.aborted ? lease.signal.reason : sink?.failure;
    return reason ? asLost(reason) : null;
  }

  /** Another holder claimed the run: write nothing more. Postgres was gone too long: claim again once it is back. */
  function asLost(error: unknown): Attempt | null {
    if (error instanceof LeaseLostError && error.kind === 'expired') return { retry: true };
    if (error instanceof EventStoreUnavailableError || isTransientDbError(error)) return { retry: true };
    if (error instanceof LeaseLostError || error instanceof RunOwnershipLostError) {
      log.warn({ epoch: lease.epoch, err: error }, 'run left to its new owner: another copy holds it now');
      return { result: { runId, status: 'SKIPPED' } };
    }
    return null;
  }
}

/** Writes RUNNING (telling first that a previous copy went away, when it did). */
async function start(writer: RunWriter, run: RunSnapshot, afterOutage: boolean, workerId: string, log: typeof logger): Promise<void> {
  if (run.status === 'RUNNING') {
    log.info({ previousWorker: run.workerId, sessionsCompleted: run.sessionsCompleted, afterOutage }, 'run resumed after its previous copy went away');
    writer.events.emit({
      type: 'STATUS',
      payload: {
        status: 'INTERRUPTED',
        message: afterOutage ? 'Postgres was unreachable for too long, so this copy stopped itself; resuming.' : 'The worker running this run went away; resuming.',
      },
    });
  }
  const resuming = run.sessionsCompleted > 0 || run.status !== 'QUEUED' || run.startedAt !== null;
  const message = (resuming ? `Resumed on worker ${workerId} after session ${run.sessionsCompleted}.` : `Started on worker ${workerId}.`) + sandboxNote();
  await markRunning(writer, { workerId, startedAt: run.startedAt ?? new Date(), message });
  log.info({ resuming, sessionsCompleted: run.sessionsCompleted, epoch: writer.epoch }, resuming ? 'run resumed' : 'run started');
}

/** Said in every run's first STATUS event when agents' commands are not sandboxed. */
function sandboxNote(): string {
  return sandboxProvider().availability().kind === 'off' ? ' WARNING: commands run UNSANDBOXED on this worker (SHIPYARD_SANDBOX=off).' : '';
}

/** A checkpointed run goes back to wait; if this worker no longer holds the job (Redis lost it), the reaper re-enqueues it. */
async function moveBackToWait(job: Job<RunJobData>, token: string | undefined): Promise<void> {
  try {
    await job.moveToWait(token);
  } catch (error) {
    logger.warn({ runId: job.data.runId, err: error }, 'could not move the job back to wait; the reaper will re-enqueue the run');
  }
}

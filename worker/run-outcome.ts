// How an attempt ends, as its lease holder writes it: the agent runtime's outcome becomes PAUSED (with a timer job
// for a rate limit), CANCELLED (stopped) or a final status; and what the job counts into the worker's metrics.
import type { logger } from '../src/logger.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import type { RunStatus } from '../src/events/types.js';
import type { RunQueue } from '../src/queue/run-queue.js';
import { finishRun } from '../src/runs/holder-status.js';
import { markPaused, type PauseReason } from '../src/runs/pause.js';
import type { RunUsage } from '../src/runs/status-update.js';
import type { RunWriter } from '../src/runs/writer.js';
import { isTransientDbError } from '../src/db/transient.js';
import type { RunMetrics } from '../src/metrics/run-metrics.js';
import type { AgentRuntime, AgentRuntimeContext, RunOutcome } from './agent/contract.js';

/** After an abort, how long the runtime gets to return before the processor finishes the run without it. */
const ABORT_GRACE_MS = 1500;

export interface WrittenOutcome {
  status: RunStatus;
  /** The run's usage totals after the write; null when the run was not in a status the write applies to. */
  usage: RunUsage | null;
  stopReason?: string | null;
  error?: string | null;
}

/** Writes what the runtime's outcome means for the run. `aborted`: the run was stopped (not shut down) meanwhile. */
export async function writeOutcome(
  writer: RunWriter,
  outcome: RunOutcome,
  aborted: boolean,
  deps: { runQueue: RunQueue; log: typeof logger },
): Promise<WrittenOutcome> {
  if (outcome.status === 'PAUSED' && !aborted) {
    const reason = (['user', 'budget', 'rate_limited'] as const).find((r) => r === outcome.stopReason) ?? 'user';
    const usage = await markPaused(writer, reason, { message: pauseMessage(reason, outcome.resumeAt, outcome.detail), resumeAt: outcome.resumeAt });
    if (outcome.resumeAt) await deps.runQueue.scheduleResume(writer.runId, outcome.resumeAt);
    deps.log.info({ reason, resumeAt: outcome.resumeAt ?? null }, 'run paused');
    return { status: 'PAUSED', usage };
  }
  if (aborted || outcome.status === 'CANCELLED') {
    const stopReason = outcome.stopReason ?? 'stopped';
    const usage = await finishRun(writer, { status: 'CANCELLED', stopReason, message: 'Stopped by a user.' });
    return { status: 'CANCELLED', usage, stopReason };
  }
  const status = outcome.status === 'PAUSED' ? 'CANCELLED' : outcome.status;
  const usage = await finishRun(writer, { status, stopReason: outcome.stopReason, error: outcome.error });
  return { status, usage, stopReason: outcome.stopReason, error: outcome.error };
}

function pauseMessage(reason: PauseReason, resumeAt: Date | undefined, detail: string | undefined): string {
  if (reason === 'budget') return `Paused: ${detail ?? 'the budget'} is spent. Raise it (updateAgentRun, updateProject or updateViewer) and resume.`;
  if (reason === 'rate_limited') return `Paused by the API's rate limit; resumes by itself at ${resumeAt?.toISOString() ?? 'a later time'}.`;
  return 'Paused after its current turn; resumeAgentRun continues from here.';
}

/**
 * Runs the agent runtime; a throw becomes FAILED unless the run was aborted. Once aborted, the runtime gets
 * ABORT_GRACE_MS to return (it should return at once: the signal reaches its model stream and child processes)
 * before we move on.
 */
export async function runtimeUntilAborted(runtime: AgentRuntime, ctx: AgentRuntimeContext): Promise<RunOutcome> {
  const running = runtime(ctx).catch((error: unknown): RunOutcome => {
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

/**
 * Adds what this attempt used (the run's totals after it minus its snapshot) to the token and cost counters. `after`
 * comes from the attempt's last status write; an attempt that wrote none (it lost the run) reads the totals.
 */
type UsageTotals = Omit<RunUsage, 'costUsd'> & { costUsd: number | { toString(): string } };

export async function countUsage(db: PrismaClient, metrics: RunMetrics, before: UsageTotals & { id: string }, after: RunUsage | null): Promise<void> {
  const totals: UsageTotals | null =
    after ??
    (await db.agentRun.findUnique({
      where: { id: before.id },
      select: { inputTokens: true, outputTokens: true, cacheReadInputTokens: true, cacheCreationInputTokens: true, costUsd: true },
    }));
  if (!totals) return;
  const add = (kind: string, delta: number) => delta > 0 && metrics.tokens.inc({ kind }, delta);
  add('input', totals.inputTokens - before.inputTokens);
  add('output', totals.outputTokens - before.outputTokens);
  add('cache_read', totals.cacheReadInputTokens - before.cacheReadInputTokens);
  add('cache_write', totals.cacheCreationInputTokens - before.cacheCreationInputTokens);
  const cost = Number(totals.costUsd) - Number(before.costUsd);
  if (cost > 0) metrics.costUsd.inc(cost);
}

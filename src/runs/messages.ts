// sendRunMessage: a person's message to a run. Stored, then delivered by the worker before its next model call; a
// PAUSED run is resumed with it, and a finished run is continued by a new run (same settings) that starts with it,
// unless another run of the project is active (CONFLICT).
import { notFound } from '../errors.js';
import { FINAL_RUN_STATUSES, type RunStatus } from '../events/types.js';
import { resumeRun, type PauseDeps } from './pause.js';
import { startRun } from './start.js';

export const MAX_RUN_MESSAGE_CHARS = 8_000;

export async function sendRunMessage(deps: PauseDeps, runId: string, author: { id: string; name: string }, text: string): Promise<string> {
  const { db } = deps;
  const run = await db.agentRun.findUnique({
    where: { id: runId },
    select: { status: true, projectId: true, agentId: true, workItemId: true, maxSessions: true, budgetUsd: true },
  });
  if (!run) throw notFound('Agent run');
  if (FINAL_RUN_STATUSES.includes(run.status as RunStatus)) {
    // A finished run is continued by a new run of the same settings whose first session starts with the message
    // (each run keeps one COMPLETE event, so followers of the old run's stream are not confused).
    const continuationId = await startRun(db, deps.runQueue, {
      projectId: run.projectId,
      agentId: run.agentId,
      workItemId: run.workItemId,
      maxSessions: run.maxSessions,
      budgetUsd: run.budgetUsd === null ? null : Number(run.budgetUsd),
      startedById: author.id,
      firstMessage: text,
    });
    return (await db.runMessage.findFirstOrThrow({ where: { runId: continuationId }, select: { id: true } })).id;
  }
  const message = await db.runMessage.create({ data: { runId, authorId: author.id, text }, select: { id: true } });
  if (run.status === 'PAUSED') await resumeRun(deps, runId, `message from ${author.name}`).catch(() => false);
  return message.id;
}

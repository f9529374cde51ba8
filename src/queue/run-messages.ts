// sendRunMessage: a person's message to a run. Stored, then delivered by the worker before its next model call; a
// PAUSED run is resumed with it and a finished run is continued with it (back to QUEUED, its next session starts
// with the message), unless another run of the project is active.
import type { PrismaClient } from '../generated/prisma/client.js';
import { conflict, notFound } from '../errors.js';
import { createRunEventSink } from '../events/sink.js';
import { FINAL_RUN_STATUSES, type RunStatus } from '../events/types.js';
import { ACTIVE_RUN_STATUSES } from './names.js';
import { resumeRun, type PauseDeps } from './pause-run.js';

export const MAX_RUN_MESSAGE_CHARS = 8_000;

export async function sendRunMessage(deps: PauseDeps, runId: string, author: { id: string; name: string }, text: string): Promise<string> {
  const { db } = deps;
  const run = await db.agentRun.findUnique({ where: { id: runId }, select: { status: true, projectId: true } });
  if (!run) throw notFound('Agent run');
  const message = await db.runMessage.create({ data: { runId, authorId: author.id, text }, select: { id: true } });
  if (run.status === 'PAUSED') {
    await resumeRun(deps, runId, `message from ${author.name}`).catch(() => false);
  } else if (FINAL_RUN_STATUSES.includes(run.status as RunStatus)) {
    await continueFinishedRun(deps, runId, run.projectId, author.name);
  }
  return message.id;
}

async function continueFinishedRun(deps: PauseDeps, runId: string, projectId: string, authorName: string): Promise<void> {
  const { db } = deps;
  const reopened = await db.$transaction(async (tx) => {
    // The same project lock as startAgentRun: one active run per project.
    await tx.$queryRaw`SELECT "id" FROM "Project" WHERE "id" = ${projectId}::uuid FOR UPDATE`;
    const active = await tx.agentRun.findFirst({ where: { projectId, status: { in: [...ACTIVE_RUN_STATUSES] } }, select: { id: true, status: true } });
    if (active && active.id !== runId) throw conflict(`Another run of this project is active (${active.status}); the message was kept but cannot continue this run now.`);
    const claimed = await tx.agentRun.updateMany({
      where: { id: runId, status: { in: [...FINAL_RUN_STATUSES] } },
      data: { status: 'QUEUED', finishedAt: null, stopReason: null, error: null, stopRequested: false, sessionsWithoutProgress: 0, pausedReason: null, resumeAt: null },
    });
    return claimed.count === 1;
  });
  if (!reopened) return;
  const sink = await createRunEventSink({ db, redis: deps.redis, runId, projectId });
  try {
    sink.emit({ type: 'STATUS', payload: { status: 'QUEUED', message: `Continued by a message from ${authorName}; waiting for a worker.` } });
    await sink.flush();
  } finally {
    await sink.close().catch(() => {});
  }
  for (let i = 0; i < 50 && (await deps.runQueue.state(runId)) === 'active'; i++) await new Promise((r) => setTimeout(r, 100));
  await deps.runQueue.requeue(runId);
}

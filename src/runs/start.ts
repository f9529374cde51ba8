// startAgentRun: one active run per project (decided under a row lock on the project), then the job.
import type { PrismaClient } from '../generated/prisma/client.js';
import { badInput, conflict, notFound } from '../errors.js';
import { logger } from '../logger.js';
import { lockRow } from '../db/row-lock.js';
import { ACTIVE_RUN_STATUSES } from './transitions.js';
import type { RunQueue } from '../queue/run-queue.js';

export interface StartRunInput {
  projectId: string;
  agentId?: string | null;
  workItemId?: string | null;
  maxSessions?: number | null;
  budgetUsd?: number | null;
  startedById: string;
  /** A message for the agent, delivered before the run's first model call (sendRunMessage to a finished run). */
  firstMessage?: string;
}

export async function startRun(db: PrismaClient, runQueue: RunQueue, input: StartRunInput): Promise<string> {
  const runId = await db.$transaction(async (tx) => {
    // Serialises concurrent starts for one project: the second waits here, then sees the first run.
    if (!(await lockRow(tx, 'Project', input.projectId))) throw notFound('Project');
    const active = await tx.agentRun.findFirst({
      where: { projectId: input.projectId, status: { in: [...ACTIVE_RUN_STATUSES] } },
      select: { id: true, status: true },
    });
    if (active) {
      throw conflict(`This project already has an active run (${active.status}); stop it or wait for it to finish before starting another.`);
    }
    if (input.agentId) {
      const agent = await tx.agent.findUnique({ where: { id: input.agentId }, select: { projectId: true } });
      if (!agent || agent.projectId !== input.projectId) throw badInput('agentId must be an agent of this project.', 'agentId');
    }
    if (input.workItemId) {
      const item = await tx.workItem.findUnique({ where: { id: input.workItemId }, select: { projectId: true } });
      if (!item || item.projectId !== input.projectId) throw badInput('workItemId must be a work item of this project.', 'workItemId');
    }
    const run = await tx.agentRun.create({
      data: {
        projectId: input.projectId,
        agentId: input.agentId ?? null,
        workItemId: input.workItemId ?? null,
        maxSessions: input.maxSessions ?? null,
        budgetUsd: input.budgetUsd ?? null,
        startedById: input.startedById,
      },
      select: { id: true },
    });
    if (input.firstMessage) await tx.runMessage.create({ data: { runId: run.id, authorId: input.startedById, text: input.firstMessage } });
    return run.id;
  });
  try {
    await runQueue.enqueue(runId);
    logger.info({ runId, projectId: input.projectId, queue: runQueue.name }, 'run queued');
  } catch (error) {
    // The run is durable and QUEUED; a worker's reaper enqueues QUEUED runs that have no job once Redis is back.
    logger.error({ err: error, runId, projectId: input.projectId }, 'could not enqueue the run; it stays QUEUED until a worker picks it up');
  }
  return runId;
}

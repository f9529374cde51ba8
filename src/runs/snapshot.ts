// A run as its worker reads it once per job, right after claiming the lease: the row, its project and its pinned
// agent. The processor decides from it (skip, cancel, start or resume) and hands the same snapshot to the agent
// runtime; what changes while the run goes on (usage, flags, sessions) is read where it is needed.
import type { Agent, AgentRun, PrismaClient, Project } from '../generated/prisma/client.js';

export type RunSnapshot = Readonly<AgentRun & { project: Project; agent: Agent | null }>;

export async function readRunSnapshot(db: PrismaClient, runId: string): Promise<RunSnapshot | null> {
  return db.agentRun.findUnique({ where: { id: runId }, include: { project: true, agent: true } });
}

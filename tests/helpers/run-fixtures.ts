// Rows a run needs (user, project, membership, agents, run) written straight through Prisma, for tests below the API.
// Tests above the API create theirs through GraphQL (foundation.ts: createProject, startAgentRun).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { defaultAgentsData } from '../../src/agent-config/defaults.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';

export interface ProjectRowOptions {
  /** The owner; default: a new user. */
  userId?: string;
  appSpec?: string;
  /** The directory the project's workspace goes under (default /tmp). */
  workspaceRoot?: string;
  /** Gives the project the default agents, with these fields replaced (e.g. the model). */
  agents?: Record<string, unknown>;
}

export async function createProjectRow(db: PrismaClient, opts: ProjectRowOptions = {}) {
  const tag = randomBytes(4).toString('hex');
  const slug = `P${tag.toUpperCase()}`;
  const userId =
    opts.userId ?? (await db.user.create({ data: { email: `u-${tag}@example.com`, name: 'u', passwordHash: 'x' }, select: { id: true } })).id;
  const agents = opts.agents;
  const project = await db.project.create({
    data: {
      name: `p ${tag}`,
      slug,
      appSpec: opts.appSpec,
      workspacePath: join(opts.workspaceRoot ?? '/tmp', `shipyard-test-${slug}`),
      members: { create: { userId, role: 'OWNER' } },
      ...(agents ? { agents: { create: defaultAgentsData().map((a) => ({ ...a, ...agents })) } } : {}),
    },
    include: { agents: true },
  });
  return { project, userId };
}

export async function createRunRow(db: PrismaClient, projectId: string, data: Record<string, unknown> = {}) {
  return db.agentRun.create({ data: { projectId, ...data } });
}

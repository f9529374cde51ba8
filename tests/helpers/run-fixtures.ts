// Rows a run needs (user, project, membership, run) written straight through Prisma, for tests below the API.
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client.js';

export async function createProjectRow(db: PrismaClient, opts: { userId?: string } = {}) {
  const tag = randomBytes(4).toString('hex');
  const userId =
    opts.userId ?? (await db.user.create({ data: { email: `u-${tag}@example.com`, name: 'u', passwordHash: 'x' }, select: { id: true } })).id;
  const project = await db.project.create({
    data: { name: `p ${tag}`, slug: `P${tag.toUpperCase()}`, workspacePath: `/tmp/shipyard-test-${tag}`, members: { create: { userId, role: 'OWNER' } } },
  });
  return { project, userId };
}

export async function createRunRow(db: PrismaClient, projectId: string, data: Record<string, unknown> = {}) {
  return db.agentRun.create({ data: { projectId, ...data } });
}

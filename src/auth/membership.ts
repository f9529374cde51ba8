// Project membership and roles: OWNER manages members, EDITOR writes, VIEWER reads.
import type { ProjectRole } from '../generated/prisma/client.js';
import { getDb } from '../db/client.js';
import { notFound } from '../errors.js';
import type { Context } from '../context.js';

const RANK: Record<ProjectRole, number> = { VIEWER: 1, EDITOR: 2, OWNER: 3 };

export const roleAtLeast = (role: ProjectRole | null | undefined, min: ProjectRole) => !!role && RANK[role] >= RANK[min];

/** The viewer's role in a project (cached per request); null when not a member. Throws NOT_FOUND for an unknown project. */
export function viewerRole(ctx: Context, projectId: string): Promise<ProjectRole | null> {
  if (!ctx.user) return Promise.resolve(null);
  let cached = ctx.roles.get(projectId);
  if (!cached) {
    const userId = ctx.user.id;
    cached = getDb()
      .project.findUnique({ where: { id: projectId }, select: { members: { where: { userId }, select: { role: true } } } })
      .then((project) => {
        if (!project) throw notFound('Project');
        return project.members[0]?.role ?? null;
      });
    ctx.roles.set(projectId, cached);
  }
  return cached;
}

export async function hasProjectRole(ctx: Context, projectId: string, min: ProjectRole): Promise<boolean> {
  return roleAtLeast(await viewerRole(ctx, projectId), min);
}

// Project membership and roles: OWNER manages members, EDITOR writes, VIEWER reads.
import type { ProjectRole } from '../generated/prisma/client.js';
import { lookupRole } from '../db/sql/membership.js';
import { notFound } from '../errors.js';
import type { Context } from '../request-context.js';

const RANK: Record<ProjectRole, number> = { VIEWER: 1, EDITOR: 2, OWNER: 3 };

export const roleAtLeast = (role: ProjectRole | null | undefined, min: ProjectRole) => !!role && RANK[role] >= RANK[min];

/** The viewer's role in a project (cached per request); null when not a member. Throws NOT_FOUND for an unknown project. */
function viewerRole(ctx: Context, projectId: string): Promise<ProjectRole | null> {
  if (!ctx.user) return Promise.resolve(null);
  const { db } = ctx.services;
  const userId = ctx.user.id;
  return ctx.access.role(projectId, () =>
    lookupRole(db, projectId, userId).then(({ project, role }) => {
      if (!project) throw notFound('Project');
      return role;
    }),
  );
}

/**
 * Answers synchronously once the request has looked the role up: the type-level scope on every row of a list
 * (a dashboard checks one per row it shows) then costs a map lookup instead of a promise and a microtask hop per object.
 */
export function hasProjectRole(ctx: Context, projectId: string, min: ProjectRole): boolean | Promise<boolean> {
  const settled = ctx.access.settledRole(projectId);
  if (ctx.user && settled) return roleAtLeast(settled.role, min);
  return viewerRole(ctx, projectId).then((role) => roleAtLeast(role, min));
}

/** Whether the viewer may see another user: themselves, or someone they share a project with (cached per request). */
export function canSeeUser(ctx: Context, userId: string): boolean | Promise<boolean> {
  if (!ctx.user) return false;
  if (ctx.user.id === userId) return true;
  const { db } = ctx.services;
  const viewerId = ctx.user.id;
  return ctx.access.sharesProjectWith(userId, () =>
    db.projectMember.count({ where: { userId, project: { members: { some: { userId: viewerId } } } }, take: 1 }).then((count) => count > 0),
  );
}

/**
 * Whether the viewer may see a node loaded by `node(id)`: the same rules as the types' own auth scopes (a project's
 * members; the user themselves or a co-member; one's own tokens). Unknown shapes are refused.
 */
export async function canSeeNode(ctx: Context, typename: string, node: object): Promise<boolean> {
  if (!ctx.user) return false;
  const row = node as { id?: unknown; projectId?: unknown; userId?: unknown };
  if (typename === 'Project' && typeof row.id === 'string') return hasProjectRole(ctx, row.id, 'VIEWER');
  if (typename === 'User' && typeof row.id === 'string') return canSeeUser(ctx, row.id);
  if (typename === 'ApiToken') return row.userId === ctx.user.id;
  if (typeof row.projectId === 'string') return hasProjectRole(ctx, row.projectId, 'VIEWER');
  return false;
}

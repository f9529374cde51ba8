// Project membership and roles: OWNER manages members, EDITOR writes, VIEWER reads.
import type { PrismaClient, ProjectRole } from '../generated/prisma/client.js';
import { getDb, pgPool } from '../db/client.js';
import { notFound } from '../errors.js';
import type { Context } from '../request-context.js';

const RANK: Record<ProjectRole, number> = { VIEWER: 1, EDITOR: 2, OWNER: 3 };

export const roleAtLeast = (role: ProjectRole | null | undefined, min: ProjectRole) => !!role && RANK[role] >= RANK[min];

/** Roles already fetched in this request (the settled values of ctx.roles), keyed by project id. */
const settledByRequest = new WeakMap<Context['roles'], Map<string, ProjectRole | null>>();
function settledRoles(ctx: Context): Map<string, ProjectRole | null> {
  let settled = settledByRequest.get(ctx.roles);
  if (!settled) settledByRequest.set(ctx.roles, (settled = new Map()));
  return settled;
}

/**
 * One project's row and the user's role in it, straight through pg: asked by nearly every request (and once a second
 * per live subscription), and a Prisma query costs more than the lookup itself. `project` is false when it is unknown.
 */
export async function lookupRole(db: PrismaClient, projectId: string, userId: string): Promise<{ project: boolean; role: ProjectRole | null }> {
  const { rows } = await pgPool(db).query<{ role: ProjectRole | null }>({
    name: 'shipyard_viewer_role',
    text: `SELECT m."role"::text AS "role" FROM "Project" p LEFT JOIN "ProjectMember" m ON m."projectId" = p."id" AND m."userId" = $2::uuid WHERE p."id" = $1::uuid`,
    values: [projectId, userId],
  });
  return { project: rows.length > 0, role: rows[0]?.role ?? null };
}

/** The viewer's role in a project (cached per request); null when not a member. Throws NOT_FOUND for an unknown project. */
function viewerRole(ctx: Context, projectId: string): Promise<ProjectRole | null> {
  if (!ctx.user) return Promise.resolve(null);
  let cached = ctx.roles.get(projectId);
  if (!cached) {
    cached = lookupRole(getDb(), projectId, ctx.user.id).then(({ project, role }) => {
      if (!project) throw notFound('Project');
      settledRoles(ctx).set(projectId, role);
      return role;
    });
    ctx.roles.set(projectId, cached);
  }
  return cached;
}

/**
 * Answers synchronously once the request has looked the role up: the type-level scope on every row of a list
 * (a dashboard checks ~150) then costs a map lookup instead of a promise and a microtask hop per object.
 */
export function hasProjectRole(ctx: Context, projectId: string, min: ProjectRole): boolean | Promise<boolean> {
  const settled = settledRoles(ctx);
  if (ctx.user && settled.has(projectId)) return roleAtLeast(settled.get(projectId), min);
  return viewerRole(ctx, projectId).then((role) => roleAtLeast(role, min));
}

const coMembersByRequest = new WeakMap<Context['roles'], Map<string, Promise<boolean>>>();

/** Whether the viewer may see another user: themselves, or someone they share a project with (cached per request). */
export function canSeeUser(ctx: Context, userId: string): boolean | Promise<boolean> {
  if (!ctx.user) return false;
  if (ctx.user.id === userId) return true;
  let cache = coMembersByRequest.get(ctx.roles);
  if (!cache) coMembersByRequest.set(ctx.roles, (cache = new Map()));
  let answer = cache.get(userId);
  if (!answer) {
    const viewerId = ctx.user.id;
    answer = getDb()
      .projectMember.count({ where: { userId, project: { members: { some: { userId: viewerId } } } }, take: 1 })
      .then((count) => count > 0);
    cache.set(userId, answer);
  }
  return answer;
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

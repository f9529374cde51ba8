// The viewer's role in a project: asked by nearly every request (and once a second per live subscription), straight
// through pg because a Prisma query costs more than the lookup itself.
import type { PrismaClient, ProjectRole } from '../../generated/prisma/client.js';
import { pgPool } from '../client.js';

/** Whether the project exists (`project`), and the user's role in it (null when not a member). */
export async function lookupRole(db: PrismaClient, projectId: string, userId: string): Promise<{ project: boolean; role: ProjectRole | null }> {
  const { rows } = await pgPool(db).query<{ role: ProjectRole | null }>({
    name: 'shipyard_viewer_role',
    text: `SELECT m."role"::text AS "role" FROM "Project" p LEFT JOIN "ProjectMember" m ON m."projectId" = p."id" AND m."userId" = $2::uuid WHERE p."id" = $1::uuid`,
    values: [projectId, userId],
  });
  return { project: rows.length > 0, role: rows[0]?.role ?? null };
}

// Feature counts per project for the dashboard and project lists, straight through pg: Prisma's groupBy (and even
// its raw path) costs several times the query itself on this hot path.
import type { PrismaClient } from '../../generated/prisma/client.js';
import { pgPool } from '../client.js';

export interface FeatureStats {
  total: number;
  passing: number;
}

/** Total and passing features of each project, in one GROUP BY; a project without features counts 0 / 0. */
export async function selectFeatureStats(db: PrismaClient, projectIds: readonly string[]): Promise<Map<string, FeatureStats>> {
  const { rows } = await pgPool(db).query<{ projectId: string; total: number; passing: number }>({
    name: 'shipyard_feature_stats',
    text: `SELECT "projectId", count(*)::int AS total, (count(*) FILTER (WHERE passes))::int AS passing
      FROM "Feature" WHERE "projectId" = ANY($1::uuid[]) GROUP BY "projectId"`,
    values: [projectIds],
  });
  const stats = new Map<string, FeatureStats>(projectIds.map((id) => [id, { total: 0, passing: 0 }]));
  for (const row of rows) stats.set(row.projectId, { total: row.total, passing: row.passing });
  return stats;
}

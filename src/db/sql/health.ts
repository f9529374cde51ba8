// Whether Postgres answers (readiness probes, waiting for the database to come back).
import type { PrismaClient } from '../../generated/prisma/client.js';

/** Resolves once Postgres ran a trivial statement; rejects with the driver's error otherwise. */
export async function pingDatabase(db: Pick<PrismaClient, '$queryRaw'>): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}

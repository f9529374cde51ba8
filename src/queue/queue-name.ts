// The BullMQ queue of this Shipyard: SHIPYARD_QUEUE when set, else derived from the database's instance id, so two
// Shipyards with different databases never take each other's jobs on a shared Redis. API and workers of one
// database arrive at the same name.
import type { PrismaClient } from '../generated/prisma/client.js';

const QUEUE_PREFIX = 'shipyard-runs';

export async function resolveQueueName(db: PrismaClient, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  // The migration that creates the table writes the row; a database where it was deleted gets a new one.
  const instance =
    (await db.instance.findFirst({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })) ?? (await db.instance.create({ data: {} }));
  return `${QUEUE_PREFIX}-${instance.id.slice(0, 8)}`;
}

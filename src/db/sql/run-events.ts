// The run-event statements sent straight through pg: the sink's batched INSERT (src/events/sink.ts), fenced by the
// run's lease epoch when the writer holds the lease, and the check it makes after an ambiguous failure.
import type { PrismaClient } from '../../generated/prisma/client.js';
import { pgPool } from '../client.js';

/** A stored event as these statements take it (src/events/types.ts's RunEvent has this shape). */
interface EventRow {
  seq: number;
  type: string;
  payload: unknown;
  createdAt: string;
}

/** After an ambiguous failure: are the batch's rows there and is the run still ours? */
export async function runEventsStillOurs(db: PrismaClient, runId: string, epoch: number, batch: EventRow[]): Promise<boolean> {
  const result = await pgPool(db).query<{ ours: boolean }>({
    text: `SELECT (SELECT "leaseEpoch" FROM "AgentRun" WHERE "id" = $1::uuid) = $2
             AND (SELECT count(*) FROM "AgentRunEvent" WHERE "runId" = $1::uuid AND "seq" BETWEEN $3 AND $4) = $5 AS ours`,
    values: [runId, epoch, batch[0]!.seq, batch.at(-1)!.seq, batch.length],
  });
  return result.rows[0]?.ours === true;
}

/**
 * One INSERT for the whole batch, its rows passed as five arrays (a fixed, prepared statement whatever the batch
 * size). Straight through pg: Prisma's createMany costs milliseconds per row, and even its raw path costs more per
 * statement than the statement itself.
 */
export async function insertRunEvents(db: PrismaClient, runId: string, batch: EventRow[], epoch: number | undefined): Promise<number> {
  const columns = [runId, batch.map((e) => e.seq), batch.map((e) => e.type), batch.map((e) => JSON.stringify(e.payload)), batch.map((e) => e.createdAt)];
  if (epoch !== undefined) {
    // FOR SHARE: a concurrent claim (an UPDATE of the run row) waits for this INSERT, or this INSERT sees its new epoch.
    const fenced = await pgPool(db).query({
      name: 'shipyard_insert_run_events_fenced',
      text: `WITH fence AS (SELECT 1 FROM "AgentRun" WHERE "id" = $1::uuid AND "leaseEpoch" = $6 FOR SHARE)
       INSERT INTO "AgentRunEvent" ("runId", "seq", "type", "payload", "createdAt")
       SELECT $1::uuid, e.seq, e.type::"AgentRunEventType", e.payload::jsonb, e."createdAt"::timestamp
       FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS e(seq, type, payload, "createdAt")
       WHERE EXISTS (SELECT 1 FROM fence)`,
      values: [...columns, epoch],
    });
    return fenced.rowCount ?? 0;
  }
  const result = await pgPool(db).query({
    name: 'shipyard_insert_run_events',
    text: `INSERT INTO "AgentRunEvent" ("runId", "seq", "type", "payload", "createdAt")
     SELECT $1::uuid, e.seq, e.type::"AgentRunEventType", e.payload::jsonb, e."createdAt"::timestamp
     FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS e(seq, type, payload, "createdAt")`,
    values: columns,
  });
  return result.rowCount ?? 0;
}

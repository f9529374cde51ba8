// The run statements sent straight through pg (each is on a worker's hot path): the lease (claim, read, renew,
// release) and what a running run reads between turns. The lease's rules are in src/runs/lease.ts.
import type { AgentRunStatus as RunStatus, PrismaClient } from '../../generated/prisma/client.js';
import { pgPool } from '../client.js';

/** Claims the lease when it is free or expired (Postgres's clock); the epoch goes up by one. Null: not claimed. */
export async function claimRunLease(db: PrismaClient, runId: string, owner: string, ttlMs: number): Promise<{ epoch: number } | null> {
  const { rows } = await pgPool(db).query<{ leaseEpoch: number }>({
    name: 'shipyard_claim_run_lease',
    text: `UPDATE "AgentRun" SET "leaseEpoch" = "leaseEpoch" + 1, "leaseOwner" = $2,
             "leaseExpiresAt" = now() + $3::int * interval '1 millisecond'
           WHERE "id" = $1::uuid AND ("leaseOwner" IS NULL OR "leaseExpiresAt" IS NULL OR "leaseExpiresAt" <= now())
           RETURNING "leaseEpoch"`,
    values: [runId, owner, Math.round(ttlMs)],
  });
  return rows[0] ? { epoch: rows[0].leaseEpoch } : null;
}

/** Who holds the lease, for how much longer, and the run's status; null when the run does not exist. */
export async function selectRunLease(db: PrismaClient, runId: string): Promise<{ owner: string | null; remainingMs: number; runStatus: RunStatus } | null> {
  const { rows } = await pgPool(db).query<{ leaseOwner: string | null; remaining: number; status: RunStatus }>({
    name: 'shipyard_read_run_lease',
    text: `SELECT "leaseOwner", "status", GREATEST(0, EXTRACT(EPOCH FROM ("leaseExpiresAt" - now())) * 1000)::float8 AS remaining
           FROM "AgentRun" WHERE "id" = $1::uuid`,
    values: [runId],
  });
  const row = rows[0];
  return row ? { owner: row.leaseOwner, remainingMs: Number(row.remaining), runStatus: row.status } : null;
}

/** Extends the lease while (epoch, owner) still hold it. Null: lost; else whether a stop was asked for meanwhile. */
export async function renewRunLease(db: PrismaClient, runId: string, epoch: number, owner: string, ttlMs: number): Promise<{ stopRequested: boolean } | null> {
  const { rows } = await pgPool(db).query<{ stopRequested: boolean }>({
    name: 'shipyard_renew_run_lease',
    text: `UPDATE "AgentRun" SET "leaseExpiresAt" = now() + $4::int * interval '1 millisecond'
           WHERE "id" = $1::uuid AND "leaseEpoch" = $2 AND "leaseOwner" = $3
           RETURNING "stopRequested"`,
    values: [runId, epoch, owner, Math.round(ttlMs)],
  });
  return rows[0] ?? null;
}

/** Frees the lease if the epoch is still the releaser's. */
export async function releaseRunLease(db: PrismaClient, runId: string, epoch: number): Promise<void> {
  await pgPool(db).query({
    name: 'shipyard_release_run_lease',
    text: `UPDATE "AgentRun" SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL WHERE "id" = $1::uuid AND "leaseEpoch" = $2`,
    values: [runId, epoch],
  });
}

/** Asked of a running run before every turn: a pause, and whether a person's message waits. */
export async function selectRunControl(db: PrismaClient, runId: string): Promise<{ pauseRequested: boolean; messagesWaiting: boolean }> {
  const { rows } = await pgPool(db).query<{ pauseRequested: boolean; messagesWaiting: boolean }>({
    name: 'shipyard_run_control',
    text: `SELECT r."pauseRequested",
        EXISTS (SELECT 1 FROM "RunMessage" m WHERE m."runId" = r."id" AND m."deliveredAt" IS NULL) AS "messagesWaiting"
      FROM "AgentRun" r WHERE r."id" = $1::uuid`,
    values: [runId],
  });
  return rows[0] ?? { pauseRequested: false, messagesWaiting: false };
}

export interface DeliveredMessage {
  text: string;
  authorId: string | null;
  authorName: string | null;
}

/** Marks the run's waiting messages delivered and returns them, oldest first. */
export async function takeRunMessages(db: PrismaClient, runId: string): Promise<DeliveredMessage[]> {
  const { rows } = await pgPool(db).query<DeliveredMessage & { createdAt: Date }>({
    name: 'shipyard_take_messages',
    text: `WITH taken AS (
        UPDATE "RunMessage" SET "deliveredAt" = now() WHERE "runId" = $1::uuid AND "deliveredAt" IS NULL
        RETURNING "text", "authorId", "createdAt"
      )
      SELECT t."text", t."authorId", u."name" AS "authorName", t."createdAt" FROM taken t LEFT JOIN "User" u ON u."id" = t."authorId"
      ORDER BY t."createdAt" ASC`,
    values: [runId],
  });
  return rows.map(({ text, authorId, authorName }) => ({ text, authorId, authorName }));
}

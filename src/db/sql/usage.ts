// Token usage and cost added to a session, its run and the feature the work is for, in one prepared statement straight
// through pg: the worker writes it after model turns, the hottest write of a running agent.
import type { PrismaClient } from '../../generated/prisma/client.js';
import { pgPool } from '../client.js';

export interface UsageIncrement {
  turns: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  costUsd: number;
}

export interface UsageTarget {
  runId: string;
  /** null: usage outside any session (verifier sessions), added to the run only. */
  sessionId: string | null;
  /** The feature this usage is attributed to (FeatureUsage), if any. */
  feature: { id: string; kind: 'CODING' | 'VERIFICATION' } | null;
}

/** Adds the increment to the session, the run and the feature's usage row (created on first use). */
export async function addUsage(db: PrismaClient, target: UsageTarget, usage: UsageIncrement): Promise<void> {
  const { turns, inputTokens: i, outputTokens: o, cacheReadInputTokens: r, cacheCreationInputTokens: w, costUsd: cost } = usage;
  // Each CTE is skipped by its parameter: no session row ($7 null), no feature ($9 null).
  await pgPool(db).query({
    name: 'shipyard_add_usage',
    text: `WITH s AS (
        UPDATE "AgentSession" SET "turns" = "turns" + $1, "inputTokens" = "inputTokens" + $2, "outputTokens" = "outputTokens" + $3,
          "cacheReadInputTokens" = "cacheReadInputTokens" + $4, "cacheCreationInputTokens" = "cacheCreationInputTokens" + $5,
          "costUsd" = "costUsd" + $6::numeric
        WHERE "id" = $7::uuid RETURNING 1
      ), f AS (
        INSERT INTO "FeatureUsage" AS u ("featureId", "runId", "kind", "inputTokens", "outputTokens", "cacheReadInputTokens", "cacheCreationInputTokens", "costUsd")
        SELECT $9::uuid, $8::uuid, $10::text, $2, $3, $4, $5, $6::numeric WHERE $9::uuid IS NOT NULL
        ON CONFLICT ("featureId", "runId", "kind") DO UPDATE SET "inputTokens" = u."inputTokens" + $2, "outputTokens" = u."outputTokens" + $3,
          "cacheReadInputTokens" = u."cacheReadInputTokens" + $4, "cacheCreationInputTokens" = u."cacheCreationInputTokens" + $5,
          "costUsd" = u."costUsd" + $6::numeric
        RETURNING 1
      )
      UPDATE "AgentRun" SET "inputTokens" = "inputTokens" + $2, "outputTokens" = "outputTokens" + $3,
        "cacheReadInputTokens" = "cacheReadInputTokens" + $4, "cacheCreationInputTokens" = "cacheCreationInputTokens" + $5,
        "costUsd" = "costUsd" + $6::numeric, "updatedAt" = now()
      WHERE "id" = $8::uuid AND ($7::uuid IS NULL OR EXISTS (SELECT 1 FROM s)) AND ($9::uuid IS NULL OR EXISTS (SELECT 1 FROM f))`,
    values: [turns, i, o, r, w, cost, target.sessionId, target.runId, target.feature?.id ?? null, target.feature?.kind ?? 'CODING'],
  });
}

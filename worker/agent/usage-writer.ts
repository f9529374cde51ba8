// Adds turns' token usage and cost to the session and run rows (and to the feature the work is for), one prepared
// statement straight through pg. Every turn by default; with an interval, turns are added up in memory and written at most once
// per interval, fewer statements for a worker running many agents. flush() writes the rest.
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import type { TokenUsage } from '../../src/agent-config/pricing.js';
import { pgPool } from '../../src/db/client.js';

interface Pending extends TokenUsage {
  turns: number;
  costUsd: number;
}

export class UsageWriter {
  private pending: Pending | null = null;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** The first failed write; the session stops on it. */
  error: Error | undefined;

  constructor(
    private readonly db: PrismaClient,
    /** null: usage outside any session (verifier sessions), added to the run only. */
    private readonly sessionId: string | null,
    private readonly runId: string,
    private readonly intervalMs: number,
    /** The feature this usage is attributed to (FeatureUsage), if any. */
    private readonly feature: { id: string; kind: 'CODING' | 'VERIFICATION' } | null = null,
  ) {}

  add(usage: TokenUsage, costUsd: number): void {
    const p = (this.pending ??= { turns: 0, inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUsd: 0 });
    p.turns++;
    p.inputTokens += usage.inputTokens;
    p.outputTokens += usage.outputTokens;
    p.cacheReadInputTokens += usage.cacheReadInputTokens;
    p.cacheCreationInputTokens += usage.cacheCreationInputTokens;
    p.costUsd += costUsd;
    if (this.intervalMs <= 0) this.writePending();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.writePending(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is pending and waits for every write (in order). */
  async flush(): Promise<void> {
    this.writePending();
    await this.chain;
  }

  private writePending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const { db, sessionId, runId } = this;
    const { turns, inputTokens: i, outputTokens: o, cacheReadInputTokens: r, cacheCreationInputTokens: w, costUsd: cost } = p;
    const featureId = this.feature?.id ?? null;
    const kind = this.feature?.kind ?? 'CODING';
    this.chain = this.chain.then(async () => {
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
        values: [turns, i, o, r, w, cost, sessionId, runId, featureId, kind],
      });
    });
    this.chain.catch((error: unknown) => (this.error ??= error as Error));
  }
}

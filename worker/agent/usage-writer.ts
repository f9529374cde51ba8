// Adds turns' token usage and cost to the session and run rows (and to the feature the work is for), one statement
// (src/db/sql/usage.ts). Every turn by default; with an interval, turns are added up in memory and written at most once
// per interval, fewer statements for a worker running many agents. flush() writes the rest.
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import type { TokenUsage } from '../../src/agent-config/pricing.js';
import { addUsage, type UsageIncrement } from '../../src/db/sql/usage.js';

export class UsageWriter {
  private pending: UsageIncrement | null = null;
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
    const { db, sessionId, runId, feature } = this;
    this.chain = this.chain.then(() => addUsage(db, { runId, sessionId, feature }, p));
    this.chain.catch((error: unknown) => (this.error ??= error as Error));
  }
}

// Project.featureStats for many projects in one request (a projects list) becomes one GROUP BY: the loads asked in
// the same tick are sent together. One loader per request (made in contextFor), so its cache dies with the request.
import type { PrismaClient } from '../generated/prisma/client.js';
import { selectFeatureStats, type FeatureStats } from '../db/sql/feature-stats.js';

type Settle = (stats: FeatureStats | Error) => void;

export class FeatureStatsLoader {
  private readonly loaded = new Map<string, Promise<FeatureStats>>();
  /** The loads waiting for the next tick's query, by project id. */
  private batch: Map<string, Settle> | null = null;

  constructor(private readonly db: PrismaClient) {}

  load(projectId: string): Promise<FeatureStats> {
    const cached = this.loaded.get(projectId);
    if (cached) return cached;
    const batch = this.batch ?? this.startBatch();
    const promise = new Promise<FeatureStats>((resolve, reject) => {
      batch.set(projectId, (stats) => (stats instanceof Error ? reject(stats) : resolve(stats)));
    });
    this.loaded.set(projectId, promise);
    return promise;
  }

  private startBatch(): Map<string, Settle> {
    const batch = new Map<string, Settle>();
    this.batch = batch;
    process.nextTick(() => {
      this.batch = null;
      void this.flush(batch);
    });
    return batch;
  }

  private async flush(batch: Map<string, Settle>): Promise<void> {
    try {
      const stats = await selectFeatureStats(this.db, [...batch.keys()]);
      for (const [id, settle] of batch) settle(stats.get(id)!);
    } catch (error) {
      for (const settle of batch.values()) settle(error as Error);
    }
  }
}

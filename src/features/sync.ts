// Reconciles a project's Feature rows with a parsed feature_list.json in one transaction. Rows are matched by index
// and compared by content hash, and updated in place so their ids (and work-item links) survive: nothing is rebuilt.
import type { PrismaClient } from '../generated/prisma/client.js';
import { featureContentHash, type FeatureEntry } from './feature-list.js';
import { lockRow } from '../db/row-lock.js';

export interface FeatureChange {
  index: number;
  /** category, description or steps differ from the stored row. */
  contentChanged: boolean;
  /** passes differs from the stored row. */
  passesChanged: boolean;
  passes: boolean;
}

export interface RemovedFeature {
  index: number;
  description: string;
}

export interface FeatureSyncResult {
  /** Indices of entries that had no row. */
  added: number[];
  changed: FeatureChange[];
  /** Rows whose index is past the end of the list. */
  removed: RemovedFeature[];
  /** Indices whose row already matched. */
  unchanged: number[];
  /** Indices whose passes went from false (or absent) to true in this sync. */
  newlyPassing: number[];
  /** With passes 'keep-rows': indices the list claims as passing whose rows stay failing (only a verified run flips them). */
  unverifiedClaims: number[];
  counts: { added: number; changed: number; removed: number; unchanged: number; total: number; passing: number };
}

type Db = Pick<PrismaClient, '$transaction'>;

export interface FeatureSyncOptions {
  /**
   * 'from-list': the rows take each entry's passes (the worker, with a list it has verified).
   * 'keep-rows': existing rows keep their passes and new rows start failing (the API: a file's passes are unverified claims).
   */
  passes: 'from-list' | 'keep-rows';
}

export async function syncFeatureRows(db: Db, projectId: string, entries: FeatureEntry[], options: FeatureSyncOptions): Promise<FeatureSyncResult> {
  const fromList = options.passes === 'from-list';
  return db.$transaction(async (tx) => {
    // Serialises concurrent syncs of one project (API and worker) so both never insert the same index.
    await lockRow(tx, 'Project', projectId);
    const rows = await tx.feature.findMany({
      where: { projectId },
      select: { id: true, index: true, contentHash: true, passes: true, description: true },
      orderBy: { index: 'asc' },
    });
    const byIndex = new Map(rows.map((row) => [row.index, row]));
    const now = new Date();
    const result: FeatureSyncResult = {
      added: [],
      changed: [],
      removed: [],
      unchanged: [],
      newlyPassing: [],
      unverifiedClaims: [],
      counts: { added: 0, changed: 0, removed: 0, unchanged: 0, total: entries.length, passing: 0 },
    };
    const toCreate: Array<{ projectId: string; index: number; contentHash: string; category: string; description: string; steps: string[]; passes: boolean; passedAt: Date | null }> = [];

    for (const [index, entry] of entries.entries()) {
      const contentHash = featureContentHash(entry);
      const row = byIndex.get(index);
      const passes = fromList ? entry.passes : (row?.passes ?? false);
      if (passes) result.counts.passing++;
      if (entry.passes && !passes) result.unverifiedClaims.push(index);
      if (!row) {
        result.added.push(index);
        if (passes) result.newlyPassing.push(index);
        toCreate.push({ projectId, index, contentHash, ...pick(entry), passes, passedAt: passes ? now : null });
        continue;
      }
      const contentChanged = row.contentHash !== contentHash;
      const passesChanged = row.passes !== passes;
      if (!contentChanged && !passesChanged) {
        result.unchanged.push(index);
        continue;
      }
      result.changed.push({ index, contentChanged, passesChanged, passes });
      if (passesChanged && passes) result.newlyPassing.push(index);
      await tx.feature.update({
        where: { id: row.id },
        data: {
          ...(contentChanged ? { contentHash, ...pick(entry) } : {}),
          ...(passesChanged ? { passes, passedAt: passes ? now : null } : {}),
        },
      });
    }

    const stale = rows.filter((row) => row.index >= entries.length);
    if (stale.length) await tx.feature.deleteMany({ where: { id: { in: stale.map((row) => row.id) } } });
    result.removed = stale.map((row) => ({ index: row.index, description: row.description }));
    if (toCreate.length) await tx.feature.createMany({ data: toCreate });

    result.counts.added = result.added.length;
    result.counts.changed = result.changed.length;
    result.counts.removed = result.removed.length;
    result.counts.unchanged = result.unchanged.length;
    return result;
  }, { timeout: 30_000 });
}

const pick = (entry: FeatureEntry) => ({ category: entry.category, description: entry.description, steps: entry.steps });

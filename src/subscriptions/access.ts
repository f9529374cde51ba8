// Per-event authorization for long-lived subscriptions: is this user still a member of the project? Cached ~1 s per
// (user, project) across all subscriptions of the process, so 1000 events/s × 100 subscribers costs ~1 query/s. The
// query is the one every request uses (lookupRole); only the cache differs (per request there, per second here).
import type { PrismaClient, ProjectRole } from '../generated/prisma/client.js';
import { roleAtLeast } from '../auth/membership.js';
import { lookupRole } from '../db/sql/membership.js';
import { forbidden } from '../errors.js';

export const MEMBERSHIP_TTL_MS = 1000;

interface Entry {
  /** After this, the next check starts a fresh query while this entry keeps answering. */
  refreshAt: number;
  expires: number;
  role: Promise<ProjectRole | null>;
  /** Set once the query answered, so a fresh hit needs no await. */
  settled?: { role: ProjectRole | null };
}

const cache = new Map<string, Entry>();
const refreshing = new Set<string>();

function queryRole(db: PrismaClient, key: string, userId: string, projectId: string): Entry {
  const now = Date.now();
  const entry: Entry = {
    refreshAt: now + MEMBERSHIP_TTL_MS * 0.75,
    expires: now + MEMBERSHIP_TTL_MS,
    role: lookupRole(db, projectId, userId).then(({ role }) => {
      entry.settled = { role };
      return role;
    }),
  };
  entry.role.catch(() => cache.get(key) === entry && cache.delete(key));
  return entry;
}

function cachedRole(db: PrismaClient, userId: string, projectId: string): Entry {
  const key = `${userId}:${projectId}`;
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expires > now) {
    // Refreshed ahead of expiry, so that live streams never stall on the query (an answer is never older than the TTL).
    if (hit.refreshAt <= now && hit.settled && !refreshing.has(key)) {
      refreshing.add(key);
      const next = queryRole(db, key, userId, projectId);
      next.role.then(
        () => cache.set(key, next),
        () => {},
      ).finally(() => refreshing.delete(key));
    }
    return hit;
  }
  if (cache.size > 10_000) for (const [k, v] of cache) if (v.expires <= now) cache.delete(k);
  const entry = queryRole(db, key, userId, projectId);
  cache.set(key, entry);
  return entry;
}

/**
 * Returns a check that throws FORBIDDEN once the user is no longer at least `min` in the project. It answers
 * synchronously from a fresh cache entry (undefined = allowed) and returns a promise only when it has to ask Postgres.
 */
export function membershipCheck(db: PrismaClient, userId: string, projectId: string, min: ProjectRole = 'VIEWER'): () => void | Promise<void> {
  // The last entry is kept here so that the per-event check is a clock read while it is fresh (no key, no map).
  let entry: Entry | undefined;
  return () => {
    const now = Date.now();
    if (!entry || entry.refreshAt <= now) entry = cachedRole(db, userId, projectId);
    if (entry.settled) {
      if (!roleAtLeast(entry.settled.role, min)) throw forbidden();
      return;
    }
    return entry.role.then((role) => {
      if (!roleAtLeast(role, min)) throw forbidden();
    });
  };
}

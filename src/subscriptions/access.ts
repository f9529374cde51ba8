// Per-event authorization for long-lived subscriptions: is this user still a member of the project? Cached ~1 s per
// (user, project) across all subscriptions of the API process (one MembershipCache in its services), so many events
// to many subscribers cost about one query per second per (user, project). The query is the one every request uses
// (lookupRole); only the cache differs (per request there, per second here). While a stream is open its entry is kept
// warm (refreshed ahead of expiry even when no event comes), so the first event after a quiet spell is answered from
// the cache instead of every subscriber of the run waiting on the query at once.
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

export class MembershipCache {
  private readonly entries = new Map<string, Entry>();
  private readonly refreshing = new Set<string>();
  /** Keys of open streams (how many each) and what refreshing them needs; the timer runs only while there are some. */
  private readonly watched = new Map<string, { streams: number; refresh: () => void }>();
  private warmTimer: ReturnType<typeof setInterval> | undefined;

  /**
   * Returns a check that throws FORBIDDEN once the user is no longer at least `min` in the project. It answers
   * synchronously from a fresh cache entry (undefined = allowed) and returns a promise only when it has to ask Postgres.
   */
  check(db: PrismaClient, userId: string, projectId: string, min: ProjectRole = 'VIEWER', signal?: AbortSignal): () => void | Promise<void> {
    if (signal) this.keepWarm(db, userId, projectId, signal);
    // The last entry is kept here so that the per-event check is a clock read while it is fresh (no key, no map).
    let entry: Entry | undefined;
    return () => {
      const now = Date.now();
      if (!entry || entry.refreshAt <= now) entry = this.cachedRole(db, userId, projectId);
      if (entry.settled) {
        if (!roleAtLeast(entry.settled.role, min)) throw forbidden();
        return;
      }
      return entry.role.then((role) => {
        if (!roleAtLeast(role, min)) throw forbidden();
      });
    };
  }

  /** Until `signal` aborts, refreshes the (user, project) entry ahead of its expiry whether or not anything asks. */
  private keepWarm(db: PrismaClient, userId: string, projectId: string, signal: AbortSignal): void {
    if (signal.aborted) return;
    const key = `${userId}:${projectId}`;
    const watch = this.watched.get(key) ?? { streams: 0, refresh: () => void this.cachedRole(db, userId, projectId) };
    watch.streams++;
    this.watched.set(key, watch);
    this.warmTimer ??= setInterval(() => this.watched.forEach((w) => w.refresh()), MEMBERSHIP_TTL_MS / 4).unref();
    signal.addEventListener('abort', () => {
      if (--watch.streams > 0) return;
      this.watched.delete(key);
      if (this.watched.size === 0) {
        clearInterval(this.warmTimer);
        this.warmTimer = undefined;
      }
    }, { once: true });
  }

  private queryRole(db: PrismaClient, key: string, userId: string, projectId: string): Entry {
    const now = Date.now();
    const entry: Entry = {
      refreshAt: now + MEMBERSHIP_TTL_MS * 0.75,
      expires: now + MEMBERSHIP_TTL_MS,
      role: lookupRole(db, projectId, userId).then(({ role }) => {
        entry.settled = { role };
        return role;
      }),
    };
    entry.role.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    return entry;
  }

  private cachedRole(db: PrismaClient, userId: string, projectId: string): Entry {
    const key = `${userId}:${projectId}`;
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) {
      // Refreshed ahead of expiry, so that live streams never stall on the query (an answer is never older than the TTL).
      if (hit.refreshAt <= now && hit.settled && !this.refreshing.has(key)) {
        this.refreshing.add(key);
        const next = this.queryRole(db, key, userId, projectId);
        next.role.then(
          () => this.entries.set(key, next),
          () => {},
        ).finally(() => this.refreshing.delete(key));
      }
      return hit;
    }
    if (this.entries.size > 10_000) for (const [k, v] of this.entries) if (v.expires <= now) this.entries.delete(k);
    const entry = this.queryRole(db, key, userId, projectId);
    this.entries.set(key, entry);
    return entry;
  }
}

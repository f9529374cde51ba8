// A worker's side of claiming a run: wait out a dead holder's lease, never run a copy beside a live one, and wait for
// Postgres after an outage made this copy stop itself.
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { FINAL_RUN_STATUSES } from '../src/events/types.js';
import { claimLease, leaseMs, RunLease } from '../src/runs/lease.js';
import { dbRetryLimitMs, withDbRetries } from '../src/db/transient.js';
import { pingDatabase } from '../src/db/sql/health.js';

/** While Postgres is unreachable after this copy stopped itself, how often it looks whether it is back. */
const DB_POLL_MS = 250;

/**
 * Claims the run's lease. A lease that is held is waited for until it expires (its holder died) or for one lease
 * period, whichever comes first; still held then means a live holder renews it: 'busy'. 'missing': the run is not in
 * this database; 'not-runnable': it is paused or finished.
 */
export async function acquireLease(db: PrismaClient, runId: string, owner: string, signal: AbortSignal): Promise<RunLease | 'busy' | 'missing' | 'not-runnable' | 'aborted'> {
  const giveUpAt = Date.now() + leaseMs() + 1000;
  for (;;) {
    if (signal.aborted) return 'aborted';
    const sentAt = Date.now();
    const claim = await withDbRetries(() => claimLease(db, runId, owner), dbRetryLimitMs(), signal);
    if (claim.status === 'claimed') return new RunLease(db, runId, owner, claim.epoch, sentAt);
    if (claim.status === 'missing') return 'missing';
    if (claim.runStatus === 'PAUSED' || FINAL_RUN_STATUSES.includes(claim.runStatus)) return 'not-runnable';
    if (Date.now() + claim.remainingMs > giveUpAt) return 'busy';
    await delay(Math.min(250, claim.remainingMs + 20), signal);
  }
}

export async function waitForDatabase(db: PrismaClient, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      await pingDatabase(db);
      return;
    } catch {
      await delay(DB_POLL_MS, signal);
    }
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

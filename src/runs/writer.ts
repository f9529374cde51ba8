// Who writes a run's status and events, and when. One rule for every process:
//  1. Only the holder of the run's lease (lease.ts) writes them. Each write carries the holder's epoch (the status
//     UPDATE in status-update.ts, the event INSERT in the sink), so a copy that lost the lease writes nothing more.
//  2. A worker holds the lease while it executes the run (worker/run-attempt.ts): it writes RUNNING, the run's events,
//     and how the run leaves it (finished, PAUSED, INTERRUPTED).
//  3. Every other writer (the API's stop, pause and resume, the reaper, the no-worker notice) changes only a run no
//     worker holds: it claims the lease for that one change (writeAsLeaseHolder), writes the status transition and
//     the events that tell it, and releases. While a live holder has the lease it writes nothing: a stop is relayed
//     to the holder (stop.ts), a pause is a flag the holder reads between turns.
//  4. The status is written (a transition of transitions.ts) before the events that tell it, so a client that sees an
//     event and reads the run sees the status it told.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { createRunEventSink } from '../events/sink.js';
import type { EventSink } from '../events/types.js';
import { notFound } from '../errors.js';
import { claimLease, leaseOwnerName, releaseLease } from './lease.js';

/** What a lease holder writes with: its epoch fences every status write and event. */
export interface RunWriter {
  db: PrismaClient;
  runId: string;
  epoch: number;
  events: EventSink;
}

export interface LeaseHolderDeps {
  db: PrismaClient;
  redis: Redis;
}

/**
 * Claims the run's lease, runs `write` with a writer fenced by the claim, then closes its events and releases the
 * lease. Waits up to `waitMs` for a holder that is letting the run go (a worker that just paused it); returns
 * { held: true } when a live holder keeps it.
 */
export async function writeAsLeaseHolder<T>(
  deps: LeaseHolderDeps,
  run: { id: string; projectId: string },
  holder: string,
  write: (writer: RunWriter) => Promise<T>,
  opts: { waitMs?: number } = {},
): Promise<{ held: false; result: T } | { held: true }> {
  const owner = leaseOwnerName(holder);
  const giveUpAt = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    const claim = await claimLease(deps.db, run.id, owner);
    if (claim.status === 'missing') throw notFound('Agent run');
    if (claim.status === 'claimed') {
      const events = await createRunEventSink({ db: deps.db, redis: deps.redis, runId: run.id, projectId: run.projectId, epoch: claim.epoch });
      try {
        return { held: false, result: await write({ db: deps.db, runId: run.id, epoch: claim.epoch, events }) };
      } finally {
        await events.close().catch(() => {});
        await releaseLease(deps.db, run.id, claim.epoch);
      }
    }
    if (Date.now() >= giveUpAt) return { held: true };
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(5, giveUpAt - Date.now()))));
  }
}

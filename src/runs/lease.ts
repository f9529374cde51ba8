// Fencing for runs: a lease in Postgres (AgentRun.leaseEpoch / leaseOwner / leaseExpiresAt). Whoever executes or
// writes a run claims it first; a claim succeeds only when the lease is free or expired (Postgres's clock) and bumps
// the epoch. Event writes and status changes carry the epoch they were claimed with, so a copy that lost the run
// can no longer write. The holder renews; when it cannot renew in time it stops itself (RunLease.signal) before the
// lease can expire in Postgres, so a new holder never starts tools while the old one still runs them. Each renewal
// also reads the run's stopRequested flag: the fallback of the stop relay (stop.ts). The SQL is in src/db/sql/runs.ts.
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { RunStatus } from '../events/types.js';
import { claimRunLease, releaseRunLease, renewRunLease, selectRunLease } from '../db/sql/runs.js';
import { logger } from '../logger.js';
import { config } from '../config/index.js';

/** How long a claim or renewal holds the run; a dead holder's run is free again after this. */
export const leaseMs = () => config().worker.leaseMs;
/** A holder that could not renew stops itself this long before its lease could expire. */
const SAFETY_MARGIN_FRACTION = 1 / 6;

export class LeaseLostError extends Error {
  constructor(
    readonly runId: string,
    /** taken: another holder claimed the run; expired: this holder could not renew in time (Postgres unreachable). */
    readonly kind: 'taken' | 'expired',
  ) {
    super(kind === 'taken' ? `Run ${runId} was claimed by another holder.` : `The lease of run ${runId} could not be renewed in time.`);
    this.name = 'LeaseLostError';
  }
}

export type ClaimResult =
  | { status: 'claimed'; epoch: number }
  | { status: 'held'; owner: string | null; remainingMs: number; runStatus: RunStatus }
  | { status: 'missing' };

/** A unique holder name per claim attempt (one process may hold several runs, and run one twice after a fault). */
export const leaseOwnerName = (holder: string) => `${holder}:${randomBytes(3).toString('hex')}`;

/** Claims the run when its lease is free or expired: the epoch goes up by one. */
export async function claimLease(db: PrismaClient, runId: string, owner: string, ttlMs = leaseMs()): Promise<ClaimResult> {
  const claimed = await claimRunLease(db, runId, owner, ttlMs);
  if (claimed) return { status: 'claimed', epoch: claimed.epoch };
  const held = await selectRunLease(db, runId);
  return held ? { status: 'held', ...held } : { status: 'missing' };
}

/** Gives the lease up (only if the epoch is still ours), so the next holder need not wait for it to expire. */
export async function releaseLease(db: PrismaClient, runId: string, epoch: number): Promise<void> {
  await releaseRunLease(db, runId, epoch);
}

/** What the agent runtime sees of the lease: it asks before every tool call. */
export interface LeaseCheck {
  /** Throws LeaseLostError unless the lease is held and valid for a while yet. */
  assertHeld(): void;
}

/** A claimed lease, renewed in the background until released or lost. */
export class RunLease implements LeaseCheck {
  private readonly controller = new AbortController();
  /** Local clock: renewals sent before this time are known to hold the lease until at least sentAt + ttl. */
  private validUntil: number;
  private renewTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private renewing = false;
  private released = false;
  private stopSeen = false;
  private onStopRequested: (() => void) | undefined;

  constructor(
    private readonly db: PrismaClient,
    readonly runId: string,
    readonly owner: string,
    readonly epoch: number,
    /** Local time just before the claim was sent. */
    claimSentAt: number,
    private readonly ttlMs = leaseMs(),
  ) {
    this.validUntil = claimSentAt + ttlMs;
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, ttlMs / 4));
    this.renewTimer.unref();
    this.armDeadline();
  }

  /**
   * The stop fallback (src/runs/stop.ts): called once when a renewal finds the run's stopRequested flag set, in
   * case the relayed stop never reached this holder.
   */
  whenStopRequested(listener: () => void): void {
    this.onStopRequested = listener;
  }

  /** Aborted (reason: LeaseLostError) when the lease is lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private get margin(): number {
    return this.ttlMs * SAFETY_MARGIN_FRACTION;
  }

  assertHeld(): void {
    if (this.signal.aborted) throw this.signal.reason as Error;
    if (Date.now() > this.validUntil - 2 * this.margin) {
      // Too close to the end to start anything: give the lease up as if the deadline had passed.
      this.lose('expired');
      throw this.signal.reason as Error;
    }
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.lose('expired'), Math.max(0, this.validUntil - this.margin - Date.now()));
    this.deadlineTimer.unref();
  }

  private lose(kind: 'taken' | 'expired'): void {
    if (this.signal.aborted || this.released) return;
    this.stopTimers();
    logger.warn({ runId: this.runId, owner: this.owner, epoch: this.epoch, kind }, 'run lease lost; stopping this copy of the run');
    this.controller.abort(new LeaseLostError(this.runId, kind));
  }

  async renew(): Promise<void> {
    if (this.renewing || this.signal.aborted || this.released) return;
    this.renewing = true;
    const sentAt = Date.now();
    try {
      const renewed = await renewRunLease(this.db, this.runId, this.epoch, this.owner, this.ttlMs);
      if (this.signal.aborted || this.released) return;
      if (!renewed) return this.lose('taken');
      this.validUntil = sentAt + this.ttlMs;
      this.armDeadline();
      if (renewed.stopRequested && !this.stopSeen) {
        this.stopSeen = true;
        this.onStopRequested?.();
      }
    } catch (error) {
      // Transient (Postgres restarting, network): the deadline timer stops this copy if it lasts.
      logger.warn({ runId: this.runId, err: error }, 'could not renew the run lease; retrying');
    } finally {
      this.renewing = false;
    }
  }

  private stopTimers(): void {
    clearInterval(this.renewTimer);
    clearTimeout(this.deadlineTimer);
  }

  /** Stops renewing and frees the lease (best effort: an expired lease frees itself). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.stopTimers();
    await releaseLease(this.db, this.runId, this.epoch).catch((error) => logger.warn({ runId: this.runId, err: error }, 'could not release the run lease'));
  }
}

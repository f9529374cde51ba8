// A run's event sink: validate → next seq → batch INSERT (many rows per statement) → only then PUBLISH on Redis.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { parseNewEvent, type EventSink, type EventType, type NewEvent, type RunEvent } from './types.js';
import { publishEvents } from './publish.js';
import { logger } from '../logger.js';
import { insertRunEvents, runEventsStillOurs } from '../db/sql/run-events.js';
import { dbRetryLimitMs, isTransientDbError, retryDelayMs } from '../db/transient.js';
import { config } from '../config/index.js';

/**
 * How long an emitted event may wait for companions before its batch is written. 0 = the next turn of the event
 * loop: events emitted together share an INSERT, and whatever arrives while a write is in flight joins the next one.
 */
const FLUSH_DELAY_MS = config().events.eventFlushMs;
/** Rows per INSERT statement. */
const MAX_BATCH = 500;
/** These change what a subscriber should show right away, so they are written without waiting. */
const URGENT: ReadonlySet<EventType> = new Set(['STATUS', 'COMPLETE', 'ERROR']);

export class RunOwnershipLostError extends Error {
  constructor(runId: string, seq: number) {
    super(`Another writer owns run ${runId} (seq ${seq} was taken or the lease epoch moved on); this copy stopped writing.`);
    this.name = 'RunOwnershipLostError';
  }
}

/** Postgres stayed unreachable longer than the sink's retry limit. */
export class EventStoreUnavailableError extends Error {
  constructor(runId: string, cause: Error) {
    super(`Could not store the events of run ${runId}: Postgres stayed unreachable (${cause.message}).`);
    this.name = 'EventStoreUnavailableError';
  }
}


export interface RunEventSink extends EventSink {
  /** Flushes what is queued and stops accepting events. */
  close(): Promise<void>;
  /** The seq of the last event emitted (0 before the first). */
  readonly lastSeq: number;
  /** Set once a write failed for good (e.g. RunOwnershipLostError); every later emit/flush throws it. */
  readonly failure: Error | null;
}

export interface RunEventSinkOptions {
  db: PrismaClient;
  redis: Redis;
  runId: string;
  projectId: string;
  /** Called once when the sink fails for good, so the owner can abort the run. */
  onFailure?: (error: Error) => void;
  /**
   * The lease epoch this writer claimed (run-lease.ts). Every INSERT then stores its rows only while the run's
   * epoch is still this one, in the same statement; otherwise the sink fails with RunOwnershipLostError.
   */
  epoch?: number;
  /** Called for every event accepted (a worker counts them for its metrics). */
  onEmit?: (type: EventType) => void;
}

export async function createRunEventSink(opts: RunEventSinkOptions): Promise<RunEventSink> {
  const { db, redis, runId, projectId } = opts;
  // Read after the claim (the caller claims first): nothing the previous holder writes can land after this.
  const max = await db.agentRunEvent.aggregate({ where: { runId }, _max: { seq: true } });
  let lastSeq = max._max.seq ?? 0;
  let queued: RunEvent[] = [];
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let writing: Promise<void> = Promise.resolve();
  /** The last PUBLISH sent: publishes go out in order on one connection, and the next INSERT does not wait for them. */
  let published: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  let closed = false;

  const fail = (error: Error) => {
    if (failure) return;
    failure = error;
    queued = [];
    logger.error({ err: error, runId }, 'event sink failed');
    opts.onFailure?.(error);
  };

  async function writeQueued(): Promise<void> {
    while (queued.length && !failure) {
      const batch = queued.splice(0, MAX_BATCH);
      try {
        await insertWithRetries(db, runId, batch, opts.epoch);
      } catch (error) {
        fail(asError(error));
        return;
      }
      // Durable now: publishing is best effort (subscribers fill holes from Postgres).
      published = publishEvents(redis, batch);
    }
  }

  /** Serialises writes so batches reach Postgres and Redis in seq order. */
  function drain(): Promise<void> {
    if (timer) FLUSH_DELAY_MS > 0 ? clearTimeout(timer as NodeJS.Timeout) : clearImmediate(timer as NodeJS.Immediate);
    timer = undefined;
    writing = writing.then(writeQueued);
    return writing;
  }

  const sink: RunEventSink = {
    get lastSeq() {
      return lastSeq;
    },
    get failure() {
      return failure;
    },
    emit(event: NewEvent) {
      if (failure) throw failure;
      if (closed) throw new Error(`The event sink of run ${runId} is closed.`);
      const valid = parseNewEvent(event);
      queued.push({ runId, projectId, seq: ++lastSeq, type: valid.type, payload: valid.payload, createdAt: new Date().toISOString() });
      opts.onEmit?.(valid.type);
      if (URGENT.has(valid.type)) void drain();
      else timer ??= FLUSH_DELAY_MS > 0 ? setTimeout(drain, FLUSH_DELAY_MS) : setImmediate(drain);
    },
    async flush() {
      await drain();
      await published;
      if (failure) throw failure;
    },
    async close() {
      if (closed) return;
      await drain();
      await published;
      closed = true;
      if (failure) throw failure;
    },
  };
  return sink;
}

/**
 * Transient errors (Postgres restarting, connection refused or cut) are retried with bounded backoff for up to
 * dbRetryLimitMs. A retry after a cut connection may find its own earlier attempt committed: with a lease epoch that
 * is still ours, a unique violation then means exactly that.
 */
async function insertWithRetries(db: PrismaClient, runId: string, batch: RunEvent[], epoch: number | undefined): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const stored = await insertRunEvents(db, runId, batch, epoch);
      if (stored !== batch.length) throw new RunOwnershipLostError(runId, batch[0]!.seq);
      return;
    } catch (error) {
      if (error instanceof RunOwnershipLostError) throw error;
      if (isUniqueViolation(error)) {
        if (attempt > 0 && epoch !== undefined && (await runEventsStillOurs(db, runId, epoch, batch))) return;
        throw new RunOwnershipLostError(runId, batch[0]!.seq);
      }
      if (!isTransientDbError(error)) throw error;
      if (Date.now() - started > dbRetryLimitMs()) throw new EventStoreUnavailableError(runId, asError(error));
      if (attempt === 0) logger.warn({ runId, err: error }, 'storing events failed; retrying while Postgres is unreachable');
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; meta?: { code?: string }; message?: string };
  return e?.code === 'P2002' || e?.code === '23505' || e?.meta?.code === '23505' || /unique constraint/i.test(e?.message ?? '');
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

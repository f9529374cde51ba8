// A run's event sink: validate → next seq → batch INSERT (many rows per statement) → only then PUBLISH on Redis.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { parseNewEvent, type EventSink, type EventType, type NewEvent, type RunEvent } from './types.js';
import { publishEvents } from './publish.js';
import { logger } from '../logger.js';
import { pgPool } from '../db/client.js';
import { config } from '../config/index.js';

/**
 * How long an emitted event may wait for companions before its batch is written. 0 = the next turn of the event
 * loop: events emitted together share an INSERT, and whatever arrives while a write is in flight joins the next one.
 */
export const FLUSH_DELAY_MS = config().events.eventFlushMs;
/** Rows per INSERT statement. */
export const MAX_BATCH = 500;
/** These change what a subscriber should show right away, so they are written without waiting. */
const URGENT: ReadonlySet<EventType> = new Set(['STATUS', 'COMPLETE', 'ERROR']);

export class RunOwnershipLostError extends Error {
  constructor(runId: string, seq: number) {
    super(`Another writer already stored seq ${seq} of run ${runId}; this worker no longer owns the run and stopped writing.`);
    this.name = 'RunOwnershipLostError';
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
  /** Called for every event accepted (a worker counts them for its metrics). */
  onEmit?: (type: EventType) => void;
}

export async function createRunEventSink(opts: RunEventSinkOptions): Promise<RunEventSink> {
  const { db, redis, runId, projectId } = opts;
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
        await insertEvents(db, runId, batch);
      } catch (error) {
        fail(isUniqueViolation(error) ? new RunOwnershipLostError(runId, batch[0]!.seq) : asError(error));
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
 * One INSERT for the whole batch, its rows passed as five arrays (a fixed, prepared statement whatever the batch
 * size). Straight through pg: Prisma's createMany costs milliseconds per row, and even its raw path costs more per
 * statement than the statement itself.
 */
async function insertEvents(db: PrismaClient, runId: string, batch: RunEvent[]): Promise<void> {
  await pgPool(db).query({
    name: 'shipyard_insert_run_events',
    text: `INSERT INTO "AgentRunEvent" ("runId", "seq", "type", "payload", "createdAt")
     SELECT $1::uuid, e.seq, e.type::"AgentRunEventType", e.payload::jsonb, e."createdAt"::timestamp
     FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS e(seq, type, payload, "createdAt")`,
    values: [runId, batch.map((e) => e.seq), batch.map((e) => e.type), batch.map((e) => JSON.stringify(e.payload)), batch.map((e) => e.createdAt)],
  });
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; meta?: { code?: string }; message?: string };
  return e?.code === 'P2002' || e?.code === '23505' || e?.meta?.code === '23505' || /unique constraint/i.test(e?.message ?? '');
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

// The run stream below the API (src/events/run-stream.ts, live-push.ts) with the real Redis hub and Postgres: events
// are pushed straight to the subscriber's target (by the stream itself, and while caught up by the Redis listener),
// except when the target refuses them (a slow client), which the pull path then carries. Replay, holes (a publish
// Redis lost), an authorization answer that needs a query (never pushed before it arrives), duplicates and completion
// are all handled, and the subscriber sees every event exactly once, in order, whichever path carried it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createTestDatabase } from './helpers/postgres.js';
import { createProjectRow, createRunRow } from './helpers/run-fixtures.js';
import { until } from './helpers/processes.js';
import { createPrismaClient } from '../src/db/client.js';
import { createRedis } from '../src/redis.js';
import { EventHub } from '../src/events/hub.js';
import { publishEvents } from '../src/events/publish.js';
import { streamRunEventBatches } from '../src/events/run-stream.js';
import { abortable } from '../src/events/live-buffer.js';
import type { RunEvent } from '../src/events/types.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: PrismaClient;
let redis: Redis;
let hub: EventHub;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrismaClient(database.url);
  redis = createRedis();
  hub = new EventHub(createRedis(undefined, { worker: true }));
});
afterAll(async () => {
  await hub?.close();
  redis?.disconnect();
  await db?.$disconnect();
  await database?.drop();
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function newRun() {
  const { project } = await createProjectRow(db);
  const row = await createRunRow(db, project.id);
  const run = { id: row.id, projectId: project.id };
  const payload = (seq: number, type: RunEvent['type']) => (type === 'COMPLETE' ? { status: 'SUCCEEDED', stopReason: null } : { text: `line ${seq}` });
  const persist = (seqs: number[], type: RunEvent['type'] = 'TEXT') =>
    db.agentRunEvent.createMany({ data: seqs.map((seq) => ({ runId: run.id, seq, type, payload: payload(seq, type) })) });
  const publish = (seqs: number[], type: RunEvent['type'] = 'TEXT') =>
    publishEvents(redis, seqs.map((seq) => ({ runId: run.id, projectId: run.projectId, seq, type, payload: payload(seq, type), createdAt: new Date().toISOString() })));
  return { run, persist, publish };
}

/**
 * Follows a run like an SSE subscriber: pushed batches go to a target that logs them (unless `acceptsPush()` says no),
 * pulled ones are consumed like the SSE body does; the log records which path carried each event. A push made while
 * an authorization answer is still awaited is recorded in `pushedUnchecked`.
 */
function follow(
  run: { id: string; projectId: string },
  opts: { authorize: () => void | Promise<void>; acceptsPush?: () => boolean; idlePollMs?: number; unanswered?: () => number },
) {
  const log: Array<[string, number]> = [];
  const pushedUnchecked: number[] = [];
  const stream = abortable((signal) =>
    streamRunEventBatches({
      db,
      hub,
      run,
      afterSeq: 0,
      signal,
      idlePollMs: opts.idlePollMs,
      authorize: opts.authorize,
      live: () => ({
        deliver: (events) => {
          if (opts.acceptsPush && !opts.acceptsPush()) return false;
          for (const e of events) log.push(['push', e.seq]);
          if (opts.unanswered?.()) pushedUnchecked.push(...events.map((e) => e.seq));
          return true;
        },
      }),
    }),
  );
  const done = (async () => {
    for await (const batch of stream) for (const e of batch.events) log.push(['pull', e.seq]);
  })();
  return { log, done, pushedUnchecked };
}

describe('run event stream', () => {
  it('pushes what the target accepts and pulls what it refuses: exactly once, in order', async () => {
    const { run, persist, publish } = await newRun();
    await persist(range(1, 3));
    let acceptPushes = true;
    let slowAnswers = 0;
    let unanswered = 0;
    const slowAnswer = () => {
      unanswered++;
      return new Promise<void>((r) => setTimeout(r, 20)).then(() => void unanswered--);
    };
    const { log, done, pushedUnchecked } = follow(run, {
      idlePollMs: 200,
      authorize: () => (slowAnswers-- > 0 ? slowAnswer() : undefined),
      acceptsPush: () => acceptPushes,
      unanswered: () => unanswered,
    });
    const reached = async (seq: number) => {
      await until(() => log.some(([, s]) => s === seq), 5000, `seq ${seq}`);
      await new Promise((r) => setTimeout(r, 50)); // the stream parks again once its consumer asks for more
    };

    await reached(3); // replayed from Postgres, pushed by the stream
    await persist(range(4, 6));
    await publish(range(4, 6)); // live, caught up: pushed by the Redis listener
    await reached(6);
    await persist(range(7, 9));
    await publish([9]); // Redis lost 7 and 8: read from Postgres, then pushed
    await reached(9);
    acceptPushes = false; // the client is slow: its target refuses
    await persist([10, 11]);
    await publish([10, 11]);
    await reached(11);
    acceptPushes = true;
    slowAnswers = 2; // the membership answer needs a query: pushed only once it arrives
    await persist([12]);
    await publish([12]);
    await reached(12);
    await persist([13]);
    await publish([13]);
    await reached(13);
    await publish([5, 6]); // a duplicate publish is ignored
    await persist([14], 'COMPLETE');
    await publish([14], 'COMPLETE');
    await done; // the stream ends after COMPLETE

    expect(log.map(([, seq]) => seq)).toEqual(range(1, 14));
    const via = (path: string) => log.filter(([p]) => p === path).map(([, seq]) => seq);
    expect(via('pull')).toEqual([10, 11]);
    expect(via('push')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14]);
    expect(pushedUnchecked).toEqual([]);
  });

  it('ends with the authorization error and pushes nothing after it', async () => {
    const { run, persist, publish } = await newRun();
    let allowed = true;
    const followed = follow(run, {
      authorize: () => {
        if (!allowed) throw Object.assign(new Error('FORBIDDEN'), { code: 'FORBIDDEN' });
      },
    });
    const { log } = followed;
    const done = followed.done.then(
      () => 'completed',
      (error: Error) => error.message,
    );
    await new Promise((r) => setTimeout(r, 100));
    await persist([1, 2]);
    await publish([1, 2]);
    await until(() => log.length === 2, 5000, 'the first events');
    allowed = false;
    await persist([3, 4]);
    await publish([3, 4]);
    expect(await done).toBe('FORBIDDEN');
    expect(log).toEqual([
      ['push', 1],
      ['push', 2],
    ]);
  });
});

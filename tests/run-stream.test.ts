// The run stream below the API (src/subscriptions/run-stream.ts, src/transport/live-push.ts) with the real Redis hub and Postgres: events
// are pushed straight to the subscriber's target (by the stream itself, and while caught up by the Redis listener),
// except when the target refuses them (a slow client), which the pull path then carries. Replay, holes (a publish
// Redis lost), an authorization answer that needs a query (never pushed before it arrives), duplicates and completion
// are all handled, and the subscriber sees every event exactly once, in order, whichever path carried it.
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { useTestDatabase } from './helpers/database.js';
import { createProjectRow, createRunRow } from './helpers/run-fixtures.js';
import { until } from './helpers/processes.js';
import { range } from './helpers/range.js';
import { EventHub } from '../src/events/hub.js';
import { publishEvents } from '../src/events/publish.js';
import { streamRunEventBatches } from '../src/subscriptions/run-stream.js';
import { follow, scriptedAuthorization } from './helpers/follow-stream.js';
import type { RunEvent } from '../src/events/types.js';
import { useEventHub } from './helpers/event-hub.js';

const database = useTestDatabase();
const pubsub = useEventHub();

async function newRun() {
  const { project } = await createProjectRow(database.db);
  const row = await createRunRow(database.db, project.id);
  const run = { id: row.id, projectId: project.id };
  const payload = (seq: number, type: RunEvent['type']) => (type === 'COMPLETE' ? { status: 'SUCCEEDED', stopReason: null } : { text: `line ${seq}` });
  const persist = (seqs: number[], type: RunEvent['type'] = 'TEXT') =>
    database.db.agentRunEvent.createMany({ data: seqs.map((seq) => ({ runId: run.id, seq, type, payload: payload(seq, type) })) });
  const publish = (seqs: number[], type: RunEvent['type'] = 'TEXT') =>
    publishEvents(pubsub.redis, seqs.map((seq) => ({ runId: run.id, projectId: run.projectId, seq, type, payload: payload(seq, type), createdAt: new Date().toISOString() })));
  return { run, persist, publish };
}

/** Follows a run from the start: pushed or pulled, see helpers/follow-stream.ts. */
const followRun = (run: { id: string; projectId: string }, authorize: () => void | Promise<void>, opts: Parameters<typeof follow>[1] = {}) =>
  follow((signal, live) => streamRunEventBatches({ db: database.db, hub: pubsub.hub, run, afterSeq: 0, signal, idlePollMs: 200, authorize, live }), opts);
const seqs = (events: RunEvent[]) => events.map((e) => e.seq);

describe('run event stream', () => {
  it('pushes what the target accepts and pulls what it refuses: exactly once, in order', async () => {
    const { run, persist, publish } = await newRun();
    await persist(range(1, 3));
    let acceptPushes = true;
    let slowWrites = false;
    const auth = scriptedAuthorization();
    const { log, done, pushedUnchecked, via } = followRun(run, auth.authorize, {
      acceptsPush: () => acceptPushes,
      unanswered: auth.unanswered,
      slowWrites: () => slowWrites,
    });
    const reached = async (seq: number) => {
      await until(() => log.some(([, e]) => e.seq === seq), 5000, `seq ${seq}`);
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
    slowWrites = true;
    await persist([10, 11]);
    await publish([10, 11]);
    await new Promise((r) => setTimeout(r, 10)); // 10 and 11 are being written the slow way
    acceptPushes = true;
    await persist([12]);
    await publish([12]); // ... so 12 waits behind them instead of overtaking them
    await reached(12);
    slowWrites = false;
    auth.answerSlowly(); // the membership answer needs a query: pushed only once it arrives
    await persist([13]);
    await publish([13]);
    await reached(13);
    await persist([14]);
    await publish([14]);
    await reached(14);
    await publish([5, 6]); // a duplicate publish is ignored
    await persist([15], 'COMPLETE');
    await publish([15], 'COMPLETE');
    await done; // the stream ends after COMPLETE

    expect(log.map(([, e]) => e.seq)).toEqual(range(1, 15));
    expect(seqs(via('pull'))).toEqual([10, 11]);
    expect(seqs(via('push'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15]);
    expect(pushedUnchecked).toEqual([]);
  });

  it('ends with the authorization error and pushes nothing after it', async () => {
    const { run, persist, publish } = await newRun();
    const auth = scriptedAuthorization();
    const followed = followRun(run, auth.authorize);
    const { log } = followed;
    const done = followed.done.then(
      () => 'completed',
      (error: Error) => error.message,
    );
    await new Promise((r) => setTimeout(r, 100));
    await persist([1, 2]);
    await publish([1, 2]);
    await until(() => log.length === 2, 5000, 'the first events');
    auth.forbid();
    await persist([3, 4]);
    await publish([3, 4]);
    expect(await done).toBe('FORBIDDEN');
    expect(log.map(([path, e]) => [path, e.seq])).toEqual([
      ['push', 1],
      ['push', 2],
    ]);
  });
});

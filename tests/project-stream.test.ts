// projectEvents below the API (src/subscriptions/project-stream.ts) with the real Redis hub: the live events of every run of
// a project reach the subscriber in publish order, pushed straight to its target when it accepts them (while waiting,
// from the Redis listener, never overtaking what it yielded), pulled when it refuses; an authorization answer that needs a query is awaited before the
// event goes out either way; a refusal ends the stream; an unsubscribed stream gets nothing more.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { until } from './helpers/processes.js';
import { follow, scriptedAuthorization } from './helpers/follow-stream.js';
import { EventHub } from '../src/events/hub.js';
import { publishEvents } from '../src/events/publish.js';
import { streamProjectEvents } from '../src/subscriptions/project-stream.js';
import { useEventHub } from './helpers/event-hub.js';

const pubsub = useEventHub();

function newProject() {
  const projectId = randomUUID();
  const runs = { a: randomUUID(), b: randomUUID() };
  const publish = (run: 'a' | 'b', seqs: number[]) =>
    publishEvents(pubsub.redis, seqs.map((seq) => ({ runId: runs[run], projectId, seq, type: 'TEXT' as const, payload: { text: `${run}${seq}` }, createdAt: new Date().toISOString() })));
  const label = (e: { payload: unknown }) => (e.payload as { text: string }).text;
  return { projectId, publish, label };
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('project event stream', () => {
  it('pushes what the target accepts, pulls what it refuses, in publish order across runs', async () => {
    const { projectId, publish, label } = newProject();
    let acceptPushes = true;
    let slowWrites = false;
    const auth = scriptedAuthorization();
    const followed = follow((signal, live) => streamProjectEvents({ hub: pubsub.hub, projectId, signal, authorize: auth.authorize, live }), {
      acceptsPush: () => acceptPushes,
      unanswered: auth.unanswered,
      slowWrites: () => slowWrites,
    });
    const { log, via, pushedUnchecked } = followed;
    await settle(); // subscribed
    await publish('a', [1, 2]);
    await publish('b', [1]);
    await until(() => log.length === 3, 5000, 'the first events');
    acceptPushes = false; // a slow client
    slowWrites = true;
    await publish('a', [3, 4]);
    await new Promise((r) => setTimeout(r, 10)); // a3 and a4 are being written the slow way
    acceptPushes = true;
    await publish('b', [99]); // ... so b99 waits behind them instead of overtaking them
    await until(() => log.length === 6, 5000, 'the refused events');
    slowWrites = false;
    auth.answerSlowly(); // the membership answer needs a query
    await publish('b', [2, 3]);
    await until(() => log.length === 8, 5000, 'the events behind a slow answer');
    await followed.stop();
    await publish('a', [5]); // unsubscribed: nothing more
    await settle();
    await followed.done;

    expect(log.map(([, e]) => label(e))).toEqual(['a1', 'a2', 'b1', 'a3', 'a4', 'b99', 'b2', 'b3']);
    expect(via('pull').map(label)).toEqual(['a3', 'a4']);
    expect(via('push').map(label)).toEqual(['a1', 'a2', 'b1', 'b99', 'b2', 'b3']);
    expect(pushedUnchecked).toEqual([]);
  });

  it('ends with the authorization error and pushes nothing after it', async () => {
    const { projectId, publish, label } = newProject();
    const auth = scriptedAuthorization();
    const followed = follow((signal, live) => streamProjectEvents({ hub: pubsub.hub, projectId, signal, authorize: auth.authorize, live }));
    const done = followed.done.then(
      () => 'completed',
      (error: Error) => error.message,
    );
    await settle();
    await publish('a', [1, 2]);
    await until(() => followed.log.length === 2, 5000, 'the first events');
    auth.forbid();
    await publish('a', [3, 4]);
    expect(await done).toBe('FORBIDDEN');
    await publish('b', [1]);
    await settle();
    expect(followed.log.map(([path, e]) => [path, label(e)])).toEqual([
      ['push', 'a1'],
      ['push', 'a2'],
    ]);
  });
});

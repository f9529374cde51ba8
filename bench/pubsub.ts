// npm run bench:pubsub — the API's CPU per delivered live event through EventHub (graphql-redis-subscriptions'
// RedisPubSub underneath) against a bare ioredis fan-out (one SUBSCRIBE, JSON.parse, a loop over listeners: the
// floor any Redis fan-out pays), measured in the same run, alternating rounds. Issue 12's rule: keep RedisPubSub unless
// it costs more than 10% over the floor.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { EventHub } from '../src/events/hub.js';
import { eventsOfMessage, publishEvents } from '../src/events/publish.js';
import type { RunEvent } from '../src/events/types.js';
import { createRedis } from '../src/redis.js';
import { fmt } from './support.js';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 4000);
const EVENTS_PER_BATCH = 5;
const LISTENERS = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

type Subscribe = (channel: string, listener: (events: RunEvent[]) => void) => Promise<() => void>;

function bareFanOut(subscriber: Redis): Subscribe {
  const listeners = new Map<string, Set<(events: RunEvent[]) => void>>();
  subscriber.on('message', (channel: string, message: string) => {
    const events = eventsOfMessage(JSON.parse(message));
    for (const listener of listeners.get(channel) ?? []) listener(events);
  });
  return async (channel, listener) => {
    if (!listeners.has(channel)) {
      listeners.set(channel, new Set());
      await subscriber.subscribe(channel);
    }
    listeners.get(channel)!.add(listener);
    return () => listeners.get(channel)!.delete(listener);
  };
}

async function measure(subscribe: Subscribe, publisher: Redis): Promise<number> {
  const runId = randomBytes(8).toString('hex');
  const projectId = randomBytes(8).toString('hex');
  const expected = BATCHES * EVENTS_PER_BATCH * LISTENERS;
  let delivered = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const unsubscribes = await Promise.all(
    Array.from({ length: LISTENERS }, () =>
      subscribe(`shipyard:run:${runId}`, (events) => {
        delivered += events.length;
        if (delivered === expected) done();
      }),
    ),
  );
  const cpuBefore = process.cpuUsage();
  for (let b = 0; b < BATCHES; b++) {
    const events: RunEvent[] = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => ({
      runId, projectId, seq: b * EVENTS_PER_BATCH + i + 1, type: 'TEXT', payload: { text: 'x'.repeat(80) }, createdAt: new Date().toISOString(),
    }));
    void publishEvents(publisher, events);
  }
  await finished;
  const cpu = process.cpuUsage(cpuBefore);
  for (const unsubscribe of unsubscribes) unsubscribe();
  return ((cpu.user + cpu.system) * 1000) / expected; // ns per delivered event
}

const publisher = createRedis();
const hub = new EventHub(createRedis(undefined, { maxRetriesPerRequest: null }));
const bare = bareFanOut(createRedis(undefined, { maxRetriesPerRequest: null }));
const results = { hub: [] as number[], bare: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  results.bare.push(await measure(bare, publisher));
  results.hub.push(await measure((c, l) => hub.subscribe(c, l), publisher));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const hubNs = median(results.hub);
const bareNs = median(results.bare);
console.log(`process CPU per delivered event (includes publishing), median of ${ROUNDS} rounds, ${BATCHES} batches × ${EVENTS_PER_BATCH} events × ${LISTENERS} listeners`);
console.log(`  bare ioredis fan-out   ${fmt(bareNs)} ns`);
console.log(`  EventHub (RedisPubSub) ${fmt(hubNs)} ns   ratio ${(hubNs / bareNs).toFixed(2)} (goal ≤ 1.10)`);
await hub.close();
publisher.disconnect();
process.exit(0);

// npm run bench:events — live event delivery: raw ioredis PUBLISH→SUBSCRIBE vs Shipyard's emit → persist (batched
// INSERT) → PUBLISH → API process → GraphQL subscription over SSE, both to the same number of concurrent subscribers,
// measured in one run. Phase 1: latency at a fixed rate (default 1,000 events/s to 100 subscribers).
// Phase 2: sustained throughput (a burst emitted as fast as possible; events/s until every subscriber has all).
// Every subscriber must see every event exactly once, in order.
// Env: BENCH_SUBSCRIBERS (100), BENCH_RATE (1000), BENCH_SECONDS (5), BENCH_BURST (5000), BENCH_POSTGRES_URL.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createPrismaClient } from '../src/db/client.js';
import { createRedis } from '../src/redis.js';
import { createRunEventSink } from '../src/events/sink.js';
import { parseEventMessage } from '../src/events/publish.js';
import { runChannel } from '../src/events/types.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { gqlOk, signUp } from '../tests/helpers/api.js';
import { freePort, startApiProcess } from '../tests/helpers/processes.js';
import { createBenchDatabase, fmt, percentile, wallClockMs } from './support.js';
import { readSse } from './sse-reader.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BURST = Number(process.env.BENCH_BURST ?? 5000);

interface Tally {
  latencies: number[];
  /** Per subscriber: the seqs received, in arrival order. */
  received: number[][];
  lastArrival: number;
}

const newTally = (): Tally => ({ latencies: [], received: Array.from({ length: SUBSCRIBERS }, () => []), lastArrival: 0 });

/** Checks every subscriber saw exactly `expected` (in order); returns lost and duplicated counts over all subscribers. */
function audit(tally: Tally, expected: number[]): { lost: number; duplicated: number; outOfOrder: number } {
  let lost = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (const seqs of tally.received) {
    const unique = new Set(seqs);
    duplicated += seqs.length - unique.size;
    lost += expected.filter((s) => !unique.has(s)).length;
    for (let i = 1; i < seqs.length; i++) if (seqs[i]! <= seqs[i - 1]!) outOfOrder++;
  }
  return { lost, duplicated, outOfOrder };
}

/** Calls emit(n) so that `total` calls happen at `rate` per second. */
async function paced(total: number, rate: number, emit: (i: number) => void): Promise<void> {
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (sent < due) emit(sent++);
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const progress = (t: Tally) => {
  const counts = t.received.map((r) => r.length);
  return `received per subscriber min ${Math.min(...counts)} max ${Math.max(...counts)}`;
};

// ---------- raw ioredis ----------
async function rawSetup(): Promise<{ publisher: Redis; subscribers: Redis[]; channel: string; tally: { current: Tally } }> {
  const channel = `bench:raw:${randomBytes(4).toString('hex')}`;
  const publisher = createRedis();
  const subscribers = Array.from({ length: SUBSCRIBERS }, () => createRedis(undefined, { worker: true }));
  const tally = { current: newTally() };
  subscribers.forEach((sub, i) =>
    sub.on('message', (_ch: string, message: string) => {
      const now = wallClockMs();
      const event = JSON.parse(message) as { seq: number; payload: { text: string } };
      const t = tally.current;
      t.received[i]!.push(event.seq);
      t.latencies.push(now - Number(event.payload.text));
      t.lastArrival = now;
    }),
  );
  await Promise.all(subscribers.map((s) => s.subscribe(channel)));
  return { publisher, subscribers, channel, tally };
}

const rawMessage = (seq: number) =>
  JSON.stringify({ runId: 'r', projectId: 'p', seq, type: 'TEXT', payload: { text: String(wallClockMs()) }, createdAt: new Date().toISOString() });

// ---------- Shipyard ----------
const SUBSCRIPTION = `subscription($runId: ID!) { agentRunEvents(runId: $runId) { seq type payload } }`;

async function shipyardRun(db: PrismaClient, redis: Redis, apiUrl: string, token: string, projectId: string) {
  const run = await db.agentRun.create({ data: { projectId, status: 'RUNNING', startedAt: new Date() } });
  const globalId = Buffer.from(`AgentRun:${run.id}`).toString('base64');
  const tally = newTally();
  const controller = new AbortController();
  const done = Promise.all(
    Array.from({ length: SUBSCRIBERS }, (_, i) =>
      readSse(
        apiUrl,
        token,
        SUBSCRIPTION,
        { runId: globalId },
        (data) => {
          const now = wallClockMs();
          const event = data.data?.agentRunEvents;
          if (!event) throw new Error(`subscription error: ${JSON.stringify(data.errors)}`);
          tally.received[i]!.push(event.seq);
          if (event.type === 'TEXT' && event.payload.text !== 'warmup') tally.latencies.push(now - Number(event.payload.text));
          tally.lastArrival = now;
        },
        controller.signal,
      ),
    ),
  );
  // A plain Redis subscriber on the run channel splits the latency: emit → durable → published vs the API hop.
  const probe = createRedis(undefined, { worker: true });
  const publishLatencies: number[] = [];
  probe.on('message', (_c: string, message: string) => {
    const now = wallClockMs();
    for (const e of parseEventMessage(message)) {
      if (e.type === 'TEXT' && (e.payload as { text: string }).text !== 'warmup') publishLatencies.push(now - Number((e.payload as { text: string }).text));
    }
  });
  await probe.subscribe(runChannel(run.id));
  const sink = await createRunEventSink({ db, redis, runId: run.id, projectId });
  // Warm-up: once every subscriber has event 1, all of them are live (it is replayed to late joiners).
  sink.emit({ type: 'TEXT', payload: { text: 'warmup' } });
  await sink.flush();
  await waitFor(() => tally.received.every((r) => r.length >= 1), 30_000, 'subscribers to connect');
  return { sink, tally, done, controller, publishLatencies, probe };
}

// ---------- main ----------
const database = await createBenchDatabase();
const db = createPrismaClient(database.url);
const redis = createRedis();
const port = await freePort();
const api = await startApiProcess({ DATABASE_URL: database.url, SHIPYARD_QUEUE: `bench-events-${randomBytes(3).toString('hex')}` }, port);
try {
  const user = await signUp(api, 'bench');
  const project = await gqlOk(api, `mutation { createProject(input: { name: "Bench events" }) { id } }`, {}, user.token);
  const projectId = Buffer.from(project.createProject.id, 'base64').toString().split(':')[1]!;
  const total = RATE * SECONDS;
  console.log(`${SUBSCRIBERS} subscribers; latency phase: ${total} events at ${RATE}/s; throughput phase: ${BURST} events as fast as possible\n`);

  // Phase 1: latency at a fixed rate.
  const raw = await rawSetup();
  await paced(total, RATE, (i) => void raw.publisher.publish(raw.channel, rawMessage(i + 1)));
  await waitFor(() => raw.tally.current.received.every((r) => r.length >= total), 30_000, 'raw delivery');
  const rawLatency = raw.tally.current;
  const rawAudit = audit(rawLatency, Array.from({ length: total }, (_, i) => i + 1));

  const ship = await shipyardRun(db, redis, api.url, user.token, projectId);
  await paced(total, RATE, () => ship.sink.emit({ type: 'TEXT', payload: { text: String(wallClockMs()) } }));
  ship.sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: null } });
  await ship.sink.close();
  await Promise.race([ship.done, new Promise((_, reject) => setTimeout(() => reject(new Error(`shipyard delivery timed out: ${progress(ship.tally)}`)), 60_000))]);
  const shipAudit = audit(ship.tally, Array.from({ length: total + 2 }, (_, i) => i + 1));

  // Phase 2: throughput.
  raw.tally.current = newTally();
  const rawStart = wallClockMs();
  for (let i = 0; i < BURST; i += 100) {
    const pipeline = raw.publisher.pipeline();
    for (let j = i; j < Math.min(BURST, i + 100); j++) pipeline.publish(raw.channel, rawMessage(j + 1));
    await pipeline.exec();
  }
  await waitFor(() => raw.tally.current.received.every((r) => r.length >= BURST), 120_000, 'raw burst');
  const rawThroughput = BURST / ((raw.tally.current.lastArrival - rawStart) / 1000);
  const rawBurstAudit = audit(raw.tally.current, Array.from({ length: BURST }, (_, i) => i + 1));

  const burst = await shipyardRun(db, redis, api.url, user.token, projectId);
  const shipStart = wallClockMs();
  for (let i = 0; i < BURST; i += 200) {
    for (let j = i; j < Math.min(BURST, i + 200); j++) burst.sink.emit({ type: 'TEXT', payload: { text: String(wallClockMs()) } });
    await new Promise((r) => setImmediate(r));
  }
  burst.sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: null } });
  await burst.sink.close();
  await Promise.race([burst.done, new Promise((_, reject) => setTimeout(() => reject(new Error(`shipyard burst timed out: ${progress(burst.tally)}`)), 180_000))]);
  const shipThroughput = (BURST + 1) / ((burst.tally.lastArrival - shipStart) / 1000);
  const shipBurstAudit = audit(burst.tally, Array.from({ length: BURST + 2 }, (_, i) => i + 1));

  const sortedRaw = [...rawLatency.latencies].sort((a, b) => a - b);
  const sortedShip = [...ship.tally.latencies].sort((a, b) => a - b);
  const row = (name: string, sorted: number[], throughput: number, a: ReturnType<typeof audit>, b: ReturnType<typeof audit>) =>
    `${name.padEnd(34)} p50 ${fmt(percentile(sorted, 50)).padStart(8)} ms   p99 ${fmt(percentile(sorted, 99)).padStart(8)} ms   ` +
    `throughput ${fmt(throughput, 0).padStart(7)} ev/s (×${SUBSCRIBERS} subscribers)   lost ${a.lost + b.lost} duplicated ${a.duplicated + b.duplicated} out-of-order ${a.outOfOrder + b.outOfOrder}`;
  console.log(row('raw ioredis publish→subscribe', sortedRaw, rawThroughput, rawAudit, rawBurstAudit));
  console.log(row('Shipyard emit→persist→publish→SSE', sortedShip, shipThroughput, shipAudit, shipBurstAudit));
  const sortedPublish = [...ship.publishLatencies].sort((a, b) => a - b);
  console.log(`  of which emit→INSERT committed→PUBLISH arrived: p50 ${fmt(percentile(sortedPublish, 50))} ms, p99 ${fmt(percentile(sortedPublish, 99))} ms`);
  const p99Delta = percentile(sortedShip, 99) - percentile(sortedRaw, 99);
  const ratio = shipThroughput / rawThroughput;
  const lossless = [shipAudit, shipBurstAudit].every((a) => a.lost === 0 && a.duplicated === 0 && a.outOfOrder === 0);
  console.log(`\np99 latency: Shipyard − raw = ${fmt(p99Delta)} ms (goal ≤ 5 ms: ${p99Delta <= 5 ? 'met' : 'NOT met'})`);
  console.log(`p50 latency ratio Shipyard/raw = ${fmt(percentile(sortedShip, 50) / percentile(sortedRaw, 50))}×`);
  console.log(`throughput ratio Shipyard/raw = ${fmt(ratio * 100, 1)}% (goal ≥ 25%: ${ratio >= 0.25 ? 'met' : 'NOT met'})`);
  console.log(`events lost or duplicated through Shipyard: ${lossless ? '0 (goal met)' : 'SOME (goal NOT met)'}`);
  raw.publisher.disconnect();
  ship.probe.disconnect();
  burst.probe.disconnect();
  raw.subscribers.forEach((s) => s.disconnect());
} finally {
  await api.stop('SIGTERM');
  redis.disconnect();
  await db.$disconnect();
  await database.drop();
}
process.exit(0); // open sockets of the 100 subscribers would otherwise keep the process alive

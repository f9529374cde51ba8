// npm run bench:events — live event delivery to the same concurrent subscribers along three paths, measured in one run:
// raw ioredis PUBLISH→SUBSCRIBE; the bare durable path (the same batched INSERT committed, then PUBLISH, then raw
// subscribers: the floor of any persist-then-publish design, bare-durable.ts); and Shipyard's emit → persist (batched
// INSERT) → PUBLISH → API process → GraphQL subscription over SSE (or graphql-ws: BENCH_TRANSPORT=ws).
// Phase 1: latency at a fixed rate (default 1,000 events/s to 100 subscribers), in BENCH_ROUNDS (5) rounds per path
// that alternate between the paths (in a rotating order), so that a shared machine's load, which changes by the
// second, weighs on the three alike. Each path is warmed up first (BENCH_WARMUP_EVENTS, one second's worth, not measured).
// Phase 2: sustained throughput (a burst emitted as fast as possible; events/s until every subscriber has all).
// Every subscriber must see every event exactly once, in order. Subscribers: events-subscribers.ts. The CPU used by
// the API, the emitter, the subscribers, Postgres and Redis during each path's rounds is printed (Linux /proc): on a
// machine that runs all of them, who holds the cores is what shapes the tail; so is the API's CPU per delivered event.
// Env: BENCH_SUBSCRIBERS (100), BENCH_RATE (1000), BENCH_SECONDS (5), BENCH_ROUNDS (5), BENCH_BURST (5000),
// BENCH_WARMUP_EVENTS, BENCH_POSTGRES_URL, BENCH_SUBSCRIBER_PROCESSES (2), BENCH_SUBSCRIBER_NICE (10),
// BENCH_API_NODE_ARGS / BENCH_SUBSCRIBER_NODE_ARGS (node flags of those processes, e.g. --cpu-prof or --trace-gc).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { createPrismaClient } from '../src/db/client.js';
import { createRedis } from '../src/redis.js';
import { createRunEventSink } from '../src/events/sink.js';
import { parseEventMessage } from '../src/events/publish.js';
import { runChannel } from '../src/events/types.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { gqlOk, signUp } from '../tests/helpers/api.js';
import { freePort, startApiProcess } from '../tests/helpers/processes.js';
import { createBenchDatabase, wallClockMs } from './support.js';
import { addCpu, measureCpu, pidsByCommand, type CpuUsage } from './process-cpu.js';
import { nodeArgs, startSubscriberProcesses, TRANSPORT, waitForAll, type SubscriberGroup } from './events-subscribers.js';
import { bareDurableEmitter } from './bare-durable.js';
import { audit, printHeader, printReport, seqRange } from './events-report.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const BURST = Number(process.env.BENCH_BURST ?? 5000);
/** Events sent at the same rate before the latency rounds of each path (not measured): JIT and connections settle. */
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP_EVENTS ?? RATE));
const PROCESSES = Math.max(1, Math.min(SUBSCRIBERS, Number(process.env.BENCH_SUBSCRIBER_PROCESSES ?? 2)));
const PER_ROUND = Math.max(1, Math.round((RATE * SECONDS) / ROUNDS));

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

const rawMessage = (seq: number, warmup: boolean) =>
  JSON.stringify({ runId: 'r', projectId: 'p', seq, type: 'TEXT', payload: { text: warmup ? 'warmup' : String(wallClockMs()) }, createdAt: new Date().toISOString() });

/** One of the three paths of the latency phase. */
interface LatencyPath {
  name: 'raw' | 'durable' | 'shipyard';
  /** Sends one event; a measured one carries its send time as its text. */
  emit(warmup: boolean): void;
  /** Resolves once everything emitted is on its way to the subscribers. */
  flush(): Promise<void>;
  /** Events emitted so far, warm-up included. */
  sent: number;
  cpu?: CpuUsage;
}

async function shipyardRun(group: SubscriberGroup, path: string, db: PrismaClient, redis: Redis, apiUrl: string, token: string, projectId: string) {
  const run = await db.agentRun.create({ data: { projectId, status: 'RUNNING', startedAt: new Date() } });
  const globalId = Buffer.from(`AgentRun:${run.id}`).toString('base64');
  await group.all((count) => ({ cmd: 'sse', path, url: apiUrl, token, runId: globalId, count }));
  // A plain Redis subscriber on the run channel splits the latency: emit → durable → published vs the API hop.
  const probe = createRedis(undefined, { worker: true });
  const publishLatencyBySeq = new Map<number, number>();
  probe.on('message', (_c: string, message: string) => {
    const now = wallClockMs();
    for (const e of parseEventMessage(message)) {
      if (e.type !== 'TEXT' || (e.payload as { text: string }).text === 'warmup') continue;
      publishLatencyBySeq.set(e.seq, now - Number((e.payload as { text: string }).text));
    }
  });
  await probe.subscribe(runChannel(run.id));
  const sink = await createRunEventSink({ db, redis, runId: run.id, projectId });
  // Warm-up: once every subscriber has event 1, all of them are live (it is replayed to late joiners).
  sink.emit({ type: 'TEXT', payload: { text: 'warmup' } });
  await sink.flush();
  await waitForAll(group, path, 1, 30_000, 'subscribers to connect');
  const done = async (timeoutMs: number, what: string) => {
    const timeout = new Promise<string[]>((resolve) => setTimeout(() => resolve([`${what} timed out`]), timeoutMs));
    const errors = (await Promise.race([group.all<string | null>(() => ({ cmd: 'done', path })), timeout])).filter(Boolean);
    if (errors.length) throw new Error(`${errors.join('; ')}: ${JSON.stringify(await group.progress(path))}`);
    return group.tally(path);
  };
  const complete = async () => {
    sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: null } });
    await sink.close();
    probe.disconnect();
  };
  return { sink, done, complete, publishLatencyBySeq };
}

await main();

async function main() {
  const database = await createBenchDatabase();
  const db = createPrismaClient(database.url);
  const redis = createRedis();
  const port = await freePort();
  const group = await startSubscriberProcesses(SUBSCRIBERS, PROCESSES);
  const api = await startApiProcess({ DATABASE_URL: database.url, SHIPYARD_QUEUE: `bench-events-${randomBytes(3).toString('hex')}`, SHIPYARD_MAX_SUBSCRIPTIONS_PER_USER: String(Math.max(200, SUBSCRIBERS)) }, port, nodeArgs('BENCH_API_NODE_ARGS'));
  const publisher = createRedis();
  try {
    const user = await signUp(api, 'bench');
    const project = await gqlOk(api, `mutation { createProject(input: { name: "Bench events" }) { id } }`, {}, user.token);
    const projectId = Buffer.from(project.createProject.id, 'base64').toString().split(':')[1]!;
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    // Who used the cores during each path's rounds: the emitter is this process (the raw publisher, the bare durable
    // writer or Shipyard's sink); Postgres and Redis count only when they run on this machine.
    const cpuGroups = {
      API: () => [api.child.pid!],
      emitter: () => [process.pid],
      subscribers: () => group.pids,
      Postgres: () => pidsByCommand('postgres'),
      Redis: () => pidsByCommand('redis-server').filter((pid) => pid === redisPid),
    };
    const measured = PER_ROUND * ROUNDS;
    printHeader(`${SUBSCRIBERS} subscribers in ${PROCESSES} processes, Shipyard over ${TRANSPORT === 'ws' ? 'graphql-ws' : 'SSE'}; latency phase: ${measured} events per path at ${RATE}/s in ${ROUNDS} alternating rounds; throughput phase: ${BURST} events as fast as possible`);

    // Phase 1: latency at a fixed rate. The three paths, each with its own subscribers (all connected throughout).
    const rawChannel = `bench:raw:${randomBytes(4).toString('hex')}`;
    await group.all((count) => ({ cmd: 'raw', path: 'raw', channel: rawChannel, count }));
    const raw: LatencyPath = { name: 'raw', sent: 0, emit: (warmup) => void publisher.publish(rawChannel, rawMessage(++raw.sent, warmup)), flush: async () => {} };

    const durableRun = await db.agentRun.create({ data: { projectId, status: 'RUNNING', startedAt: new Date() } });
    const durableChannel = `bench:durable:${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    const bare = bareDurableEmitter(pool, publisher, durableRun.id, durableChannel);
    await group.all((count) => ({ cmd: 'raw', path: 'durable', channel: durableChannel, count }));
    const durable: LatencyPath = { name: 'durable', sent: 0, emit: (warmup) => bare.emit(++durable.sent, warmup ? 'warmup' : String(wallClockMs())), flush: () => bare.flush() };

    const ship = await shipyardRun(group, 'shipyard', db, redis, api.url, user.token, projectId);
    const shipyard: LatencyPath = {
      name: 'shipyard',
      sent: 1, // shipyardRun's first event
      emit: (warmup) => {
        shipyard.sent++;
        ship.sink.emit({ type: 'TEXT', payload: { text: warmup ? 'warmup' : String(wallClockMs()) } });
      },
      flush: () => ship.sink.flush(),
    };

    const paths = [raw, durable, shipyard];
    for (const path of paths) {
      await paced(WARMUP - path.sent, RATE, () => path.emit(true));
      await path.flush();
      await waitForAll(group, path.name, WARMUP, 30_000, `${path.name} warm-up`);
      await group.all(() => ({ cmd: 'reset', path: path.name }));
    }
    let apiLatencyMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < paths.length; i++) {
        const path = paths[(round + i) % paths.length]!;
        const cpu = measureCpu(cpuGroups);
        await paced(PER_ROUND, RATE, () => path.emit(false));
        await path.flush();
        await waitForAll(group, path.name, path.sent - WARMUP, 30_000, `${path.name} delivery`);
        const used = cpu?.();
        path.cpu = addCpu(path.cpu, used);
        if (path === shipyard) apiLatencyMs += used?.ms.API ?? NaN;
      }
    }
    await ship.complete();
    const shipTally = await ship.done(60_000, 'shipyard delivery');
    const [rawTally, durableTally] = [await group.tally('raw'), await group.tally('durable')];
    await group.all(() => ({ cmd: 'close', path: 'raw' }));
    await group.all(() => ({ cmd: 'close', path: 'durable' }));
    await pool.end();

    // Phase 2: throughput.
    const burstChannel = `bench:burst:${randomBytes(4).toString('hex')}`;
    await group.all((count) => ({ cmd: 'raw', path: 'raw-burst', channel: burstChannel, count }));
    const rawStart = wallClockMs();
    for (let i = 0; i < BURST; i += 100) {
      const pipeline = publisher.pipeline();
      for (let j = i; j < Math.min(BURST, i + 100); j++) pipeline.publish(burstChannel, rawMessage(j + 1, false));
      await pipeline.exec();
    }
    await waitForAll(group, 'raw-burst', BURST, 120_000, 'raw burst');
    const rawBurst = await group.tally('raw-burst');
    await group.all(() => ({ cmd: 'close', path: 'raw-burst' }));

    const burst = await shipyardRun(group, 'shipyard-burst', db, redis, api.url, user.token, projectId);
    const burstCpu = measureCpu(cpuGroups);
    const shipStart = wallClockMs();
    for (let i = 0; i < BURST; i += 200) {
      for (let j = i; j < Math.min(BURST, i + 200); j++) burst.sink.emit({ type: 'TEXT', payload: { text: String(wallClockMs()) } });
      await new Promise((r) => setImmediate(r));
    }
    await burst.complete();
    const burstTally = await burst.done(180_000, 'shipyard burst');
    const apiBurstMs = burstCpu?.().ms.API ?? NaN;

    const sorted = (latencies: number[]) => [...latencies].sort((a, b) => a - b);
    const hops = shipTally.latencies.map((l, i) => l - (ship.publishLatencyBySeq.get(shipTally.latencySeqs[i]!) ?? NaN)).filter(Number.isFinite);
    printReport({
      subscribers: SUBSCRIBERS,
      transport: TRANSPORT,
      raw: { sorted: sorted(rawTally.latencies), throughput: BURST / ((rawBurst.lastArrival - rawStart) / 1000), audits: [audit(rawTally, seqRange(WARMUP + 1, measured)), audit(rawBurst, seqRange(1, BURST))], cpu: raw.cpu },
      durable: { sorted: sorted(durableTally.latencies), audits: [audit(durableTally, seqRange(WARMUP + 1, measured))], cpu: durable.cpu },
      shipyard: {
        sorted: sorted(shipTally.latencies),
        throughput: (BURST + 1) / ((burstTally.lastArrival - shipStart) / 1000),
        // + 1: the COMPLETE event; the burst also has shipyardRun's first event.
        audits: [audit(shipTally, seqRange(WARMUP + 1, measured + 1)), audit(burstTally, seqRange(1, BURST + 2))],
        cpu: shipyard.cpu,
      },
      // Per delivery: its latency minus its event's emit→PUBLISH latency (seen by a probe in this process, so approximate).
      publishSplit: { toPublish: sorted([...ship.publishLatencyBySeq.values()]), afterPublish: sorted(hops) },
      apiCpu: { latency: { ms: apiLatencyMs, deliveries: measured * SUBSCRIBERS }, throughput: { ms: apiBurstMs, deliveries: (BURST + 2) * SUBSCRIBERS } },
    });
  } finally {
    publisher.disconnect();
    group.close();
    await api.stop('SIGTERM');
    redis.disconnect();
    await db.$disconnect();
    await database.drop();
  }
  process.exit(0); // the API's and subscribers' sockets would otherwise keep the process alive
}

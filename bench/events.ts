// npm run bench:events — live event delivery: raw ioredis PUBLISH→SUBSCRIBE, the bare durable path (the same batched
// INSERT committed, then PUBLISH, then raw subscribers: the floor of any persist-then-publish design) and Shipyard's emit → persist (batched
// INSERT) → PUBLISH → API process → GraphQL subscription over SSE (or graphql-ws: BENCH_TRANSPORT=ws), both to the same number of concurrent subscribers,
// measured in one run. Phase 1: latency at a fixed rate (default 1,000 events/s to 100 subscribers).
// Phase 2: sustained throughput (a burst emitted as fast as possible; events/s until every subscriber has all).
// Every subscriber must see every event exactly once, in order. The subscribers of both (raw and Shipyard) run in
// BENCH_SUBSCRIBER_PROCESSES (2) child processes of this script, so neither the emitter nor the readers starve the other.
// They stand in for remote clients, so they run at a lower CPU priority (BENCH_SUBSCRIBER_NICE, 10; 0 = same as the
// rest): on a 2-core machine their reading would otherwise take the cores that Postgres and the API (Shipyard's path)
// or Redis (raw's) need. Both paths are read by the same deprioritized processes.
// Both latency phases start after BENCH_WARMUP_EVENTS (one second's worth) sent the same way and not measured.
// Each latency phase also prints the CPU used meanwhile by the API, the emitter, the subscribers, Postgres and Redis
// (Linux /proc): on a machine that runs all of them, who holds the cores is what shapes the tail.
// Env: BENCH_SUBSCRIBERS (100), BENCH_RATE (1000), BENCH_SECONDS (5), BENCH_BURST (5000), BENCH_WARMUP_EVENTS, BENCH_POSTGRES_URL,
// BENCH_API_NODE_ARGS / BENCH_SUBSCRIBER_NODE_ARGS (node flags of those processes, e.g. --cpu-prof or --trace-gc).
import { randomBytes } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
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
import { createBenchDatabase, fmt, percentile, wallClockMs } from './support.js';
import { readSse } from './sse-reader.js';
import { readWs } from './ws-reader.js';
import { Recorder, type Tally } from './recorder.js';
import { formatCpu, measureCpu, pidsByCommand } from './process-cpu.js';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BURST = Number(process.env.BENCH_BURST ?? 5000);
/** Events sent at the same rate before the latency phase of both paths (not measured): JIT and connections settle. */
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP_EVENTS ?? RATE));
const PROCESSES = Math.max(1, Math.min(SUBSCRIBERS, Number(process.env.BENCH_SUBSCRIBER_PROCESSES ?? 2)));
const SUBSCRIBER_NICE = Number(process.env.BENCH_SUBSCRIBER_NICE ?? 10);
/** How Shipyard's subscribers connect: GraphQL over SSE (sse) or graphql-ws over a WebSocket (ws). */
const TRANSPORT = process.env.BENCH_TRANSPORT === 'ws' ? 'ws' : 'sse';
const readSubscription = TRANSPORT === 'ws' ? readWs : readSse;
/** Node's own flags for a child process, e.g. BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (NODE_OPTIONS refuses --cpu-prof). */
const nodeArgs = (variable: string) => (process.env[variable] ?? '').split(' ').filter(Boolean);

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

// ---------- subscriber processes ----------
type Command =
  | { cmd: 'raw'; channel: string; count: number }
  | { cmd: 'sse'; url: string; token: string; runId: string; count: number }
  | { cmd: 'progress' }
  /** Starts a fresh tally on the same connections (after a warm-up). */
  | { cmd: 'reset' }
  | { cmd: 'tally' }
  | { cmd: 'done' };

type RawEvent = { seq: number; payload: { text: string } };

/** Runs in a child process: holds `count` subscribers (raw, or Shipyard's over SSE or WebSocket) and answers the parent's commands over IPC. */
async function subscriberProcess() {
  let recorder = new Recorder(0);
  let raw: Redis[] = [];
  let sse: { done: Promise<unknown>; controller: AbortController } | null = null;
  const record = (i: number, seq: number, sentAt: number | null) => {
    const now = wallClockMs();
    recorder.record(i, seq, now, sentAt === null ? null : now - sentAt);
  };
  const handle = async (m: Command): Promise<unknown> => {
    switch (m.cmd) {
      case 'raw':
        recorder = new Recorder(m.count);
        raw.forEach((r) => r.disconnect());
        raw = Array.from({ length: m.count }, () => createRedis(undefined, { worker: true }));
        raw.forEach((sub, i) =>
          sub.on('message', (_ch: string, message: string) => {
            // One event (raw pub/sub) or a batch of them (the bare durable path publishes what one INSERT committed).
            const parsed = JSON.parse(message) as RawEvent | RawEvent[];
            for (const event of Array.isArray(parsed) ? parsed : [parsed]) {
              record(i, event.seq, event.payload.text === 'warmup' ? null : Number(event.payload.text));
            }
          }),
        );
        await Promise.all(raw.map((r) => r.subscribe(m.channel)));
        return null;
      case 'sse': {
        recorder = new Recorder(m.count);
        const controller = new AbortController();
        const done = Promise.all(
          Array.from({ length: m.count }, (_, i) =>
            readSubscription(m.url, m.token, SUBSCRIPTION, { runId: m.runId }, (data) => {
              const event = data.data?.agentRunEvents;
              if (!event) throw new Error(`subscription error: ${JSON.stringify(data.errors)}`);
              record(i, event.seq, event.type === 'TEXT' && event.payload.text !== 'warmup' ? Number(event.payload.text) : null);
            }, controller.signal),
          ),
        ).then(() => null, (error: Error) => error.message);
        sse = { done, controller };
        return null;
      }
      case 'reset':
        recorder = new Recorder(recorder.subscribers);
        return null;
      case 'progress':
        return recorder.progress();
      case 'tally':
        return recorder.tally();
      case 'done':
        return sse ? await sse.done : null;
    }
  };
  process.on('message', (msg: { id: number; command: Command }) => {
    handle(msg.command).then(
      (result) => process.send!({ id: msg.id, result }),
      (error: Error) => process.send!({ id: msg.id, error: error.message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0)); // an exit, so that a --cpu-prof profile gets written
}

interface SubscriberGroup {
  /** Sends a command to every process; `perProcess` shapes it with that process's subscriber count. */
  all<T>(perProcess: (count: number) => Command): Promise<T[]>;
  progress(): Promise<{ min: number; max: number }>;
  readonly pids: number[];
  tally(): Promise<Tally>;
  close(): void;
}

async function startSubscriberProcesses(): Promise<SubscriberGroup> {
  const counts = Array.from({ length: PROCESSES }, (_, p) => Math.floor(SUBSCRIBERS / PROCESSES) + (p < SUBSCRIBERS % PROCESSES ? 1 : 0));
  const children: ChildProcess[] = counts.map(() =>
    fork(fileURLToPath(import.meta.url), [], { execArgv: [...nodeArgs('BENCH_SUBSCRIBER_NODE_ARGS'), '--import', 'tsx'], env: { ...process.env, BENCH_ROLE: 'subscribers' }, stdio: 'inherit' }),
  );
  for (const child of children) if (SUBSCRIBER_NICE) setPriority(child.pid!, SUBSCRIBER_NICE);
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  for (const child of children) {
    child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
  }
  const call = (child: ChildProcess, command: Command) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, command });
    });
  const all = <T>(perProcess: (count: number) => Command) => Promise.all(children.map((c, i) => call(c, perProcess(counts[i]!)))) as Promise<T[]>;
  return {
    all,
    async progress() {
      const each = await all<{ min: number; max: number }>(() => ({ cmd: 'progress' }));
      return { min: Math.min(...each.map((e) => e.min)), max: Math.max(...each.map((e) => e.max)) };
    },
    async tally() {
      const each = await all<Tally>(() => ({ cmd: 'tally' }));
      return { latencies: each.flatMap((t) => t.latencies), latencySeqs: each.flatMap((t) => t.latencySeqs), received: each.flatMap((t) => t.received), lastArrival: Math.max(...each.map((t) => t.lastArrival)) };
    },
    pids: children.map((c) => c.pid!),
    close: () => children.forEach((c) => c.kill()),
  };
}

/** Polls the subscriber processes until every subscriber has at least `count` events. */
async function waitForAll(group: SubscriberGroup, count: number, timeoutMs: number, what: string) {
  const start = Date.now();
  for (;;) {
    const { min, max } = await group.progress();
    if (min >= count) return;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out: ${what} (received per subscriber min ${min} max ${max})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const rawMessage = (seq: number, warmup = false) =>
  JSON.stringify({ runId: 'r', projectId: 'p', seq, type: 'TEXT', payload: { text: warmup ? 'warmup' : String(wallClockMs()) }, createdAt: new Date().toISOString() });

// ---------- bare durable path ----------
/**
 * The floor of any persist-then-publish design on this machine: the events emitted meanwhile go into one INSERT (the
 * sink's statement, straight through pg), and once it committed, one PUBLISH of that batch; raw subscribers read it.
 * No validation, no seq allocation, no API, no GraphQL.
 */
function bareDurableEmitter(pool: pg.Pool, publisher: Redis, runId: string, channel: string) {
  let pending: { seq: number; text: string; createdAt: string }[] = [];
  let writing: Promise<void> | null = null;
  const write = async () => {
    while (pending.length) {
      const batch = pending;
      pending = [];
      await pool.query({
        name: 'bench_bare_insert',
        text: `INSERT INTO "AgentRunEvent" ("runId", "seq", "type", "payload", "createdAt")
         SELECT $1::uuid, e.seq, 'TEXT'::"AgentRunEventType", e.payload::jsonb, e."createdAt"::timestamp
         FROM unnest($2::int[], $3::text[], $4::text[]) AS e(seq, payload, "createdAt")`,
        values: [runId, batch.map((e) => e.seq), batch.map((e) => JSON.stringify({ text: e.text })), batch.map((e) => e.createdAt)],
      });
      await publisher.publish(channel, JSON.stringify(batch.map((e) => ({ seq: e.seq, payload: { text: e.text } }))));
    }
    writing = null;
  };
  return {
    emit(seq: number, text: string) {
      pending.push({ seq, text, createdAt: new Date().toISOString() });
      writing ??= write();
    },
    flush: () => writing ?? Promise.resolve(),
  };
}

// ---------- Shipyard ----------
const SUBSCRIPTION = `subscription($runId: ID!) { agentRunEvents(runId: $runId) { seq type payload } }`;

async function shipyardRun(group: SubscriberGroup, db: PrismaClient, redis: Redis, apiUrl: string, token: string, projectId: string) {
  const run = await db.agentRun.create({ data: { projectId, status: 'RUNNING', startedAt: new Date() } });
  const globalId = Buffer.from(`AgentRun:${run.id}`).toString('base64');
  await group.all((count) => ({ cmd: 'sse', url: apiUrl, token, runId: globalId, count }));
  // A plain Redis subscriber on the run channel splits the latency: emit → durable → published vs the API hop.
  const probe = createRedis(undefined, { worker: true });
  const publishLatencyBySeq = new Map<number, number>();
  probe.on('message', (_c: string, message: string) => {
    const now = wallClockMs();
    for (const e of parseEventMessage(message)) {
      if (e.type !== 'TEXT' || (e.payload as { text: string }).text === 'warmup') continue;
      const latency = now - Number((e.payload as { text: string }).text);
      publishLatencyBySeq.set(e.seq, latency);
    }
  });
  await probe.subscribe(runChannel(run.id));
  const sink = await createRunEventSink({ db, redis, runId: run.id, projectId });
  // Warm-up: once every subscriber has event 1, all of them are live (it is replayed to late joiners).
  sink.emit({ type: 'TEXT', payload: { text: 'warmup' } });
  await sink.flush();
  await waitForAll(group, 1, 30_000, 'subscribers to connect');
  const done = async (timeoutMs: number, what: string) => {
    const timeout = new Promise<string[]>((resolve) => setTimeout(() => resolve([`${what} timed out`]), timeoutMs));
    const errors = (await Promise.race([group.all<string | null>(() => ({ cmd: 'done' })), timeout])).filter(Boolean);
    if (errors.length) throw new Error(`${errors.join('; ')}: ${JSON.stringify(await group.progress())}`);
    return group.tally();
  };
  return { sink, done, publishLatencyBySeq, probe };
}

// ---------- main ----------
if (process.env.BENCH_ROLE === 'subscribers') await subscriberProcess();
else await main();

async function main() {
  const database = await createBenchDatabase();
  const db = createPrismaClient(database.url);
  const redis = createRedis();
  const port = await freePort();
  const group = await startSubscriberProcesses();
  const api = await startApiProcess({ DATABASE_URL: database.url, SHIPYARD_QUEUE: `bench-events-${randomBytes(3).toString('hex')}`, SHIPYARD_MAX_SUBSCRIPTIONS_PER_USER: String(Math.max(200, SUBSCRIBERS)) }, port, nodeArgs('BENCH_API_NODE_ARGS'));
  try {
    const user = await signUp(api, 'bench');
    const project = await gqlOk(api, `mutation { createProject(input: { name: "Bench events" }) { id } }`, {}, user.token);
    const projectId = Buffer.from(project.createProject.id, 'base64').toString().split(':')[1]!;
    const total = RATE * SECONDS;
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    // Who used the cores during each latency phase: the emitter is this process (the raw publisher, or Shipyard's sink);
    // Postgres and Redis count only when they run on this machine.
    const cpuGroups = {
      API: () => [api.child.pid!],
      emitter: () => [process.pid],
      subscribers: () => group.pids,
      Postgres: () => pidsByCommand('postgres'),
      Redis: () => pidsByCommand('redis-server').filter((pid) => pid === redisPid),
    };
    console.log(`${SUBSCRIBERS} subscribers in ${PROCESSES} processes at nice ${SUBSCRIBER_NICE}, Shipyard over ${TRANSPORT === 'ws' ? 'graphql-ws' : 'SSE'}; latency phase: ${total} events at ${RATE}/s; throughput phase: ${BURST} events as fast as possible\n`);

    // Phase 1: latency at a fixed rate.
    const channel = `bench:raw:${randomBytes(4).toString('hex')}`;
    const publisher = createRedis();
    await group.all((count) => ({ cmd: 'raw', channel, count }));
    await paced(WARMUP, RATE, (i) => void publisher.publish(channel, rawMessage(i + 1, true)));
    await waitForAll(group, WARMUP, 30_000, 'raw warm-up');
    await group.all(() => ({ cmd: 'reset' }));
    let cpu = measureCpu(cpuGroups);
    await paced(total, RATE, (i) => void publisher.publish(channel, rawMessage(WARMUP + i + 1)));
    const rawCpu = cpu?.();
    await waitForAll(group, total, 30_000, 'raw delivery');
    const rawLatency = await group.tally();
    const rawAudit = audit(rawLatency, Array.from({ length: total }, (_, i) => WARMUP + i + 1));

    const durableRun = await db.agentRun.create({ data: { projectId, status: 'RUNNING', startedAt: new Date() } });
    const durableChannel = `bench:durable:${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    const durable = bareDurableEmitter(pool, publisher, durableRun.id, durableChannel);
    await group.all((count) => ({ cmd: 'raw', channel: durableChannel, count }));
    await paced(WARMUP, RATE, (i) => durable.emit(i + 1, 'warmup'));
    await waitForAll(group, WARMUP, 30_000, 'durable warm-up');
    await group.all(() => ({ cmd: 'reset' }));
    await paced(total, RATE, (i) => durable.emit(WARMUP + i + 1, String(wallClockMs())));
    await durable.flush();
    await waitForAll(group, total, 30_000, 'durable delivery');
    const durableLatency = await group.tally();
    const durableAudit = audit(durableLatency, Array.from({ length: total }, (_, i) => WARMUP + i + 1));
    await pool.end();

    const ship = await shipyardRun(group, db, redis, api.url, user.token, projectId);
    await paced(WARMUP - 1, RATE, () => ship.sink.emit({ type: 'TEXT', payload: { text: 'warmup' } }));
    await waitForAll(group, WARMUP, 30_000, 'shipyard warm-up');
    cpu = measureCpu(cpuGroups);
    await paced(total, RATE, () => ship.sink.emit({ type: 'TEXT', payload: { text: String(wallClockMs()) } }));
    const shipCpu = cpu?.();
    ship.sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: null } });
    await ship.sink.close();
    const shipTally = await ship.done(60_000, 'shipyard delivery');
    const shipAudit = audit(shipTally, Array.from({ length: WARMUP + total + 1 }, (_, i) => i + 1));

    // Phase 2: throughput.
    await group.all((count) => ({ cmd: 'raw', channel, count })); // fresh tallies, same channel
    const rawStart = wallClockMs();
    for (let i = 0; i < BURST; i += 100) {
      const pipeline = publisher.pipeline();
      for (let j = i; j < Math.min(BURST, i + 100); j++) pipeline.publish(channel, rawMessage(j + 1));
      await pipeline.exec();
    }
    await waitForAll(group, BURST, 120_000, 'raw burst');
    const rawBurst = await group.tally();
    const rawThroughput = BURST / ((rawBurst.lastArrival - rawStart) / 1000);
    const rawBurstAudit = audit(rawBurst, Array.from({ length: BURST }, (_, i) => i + 1));

    const burst = await shipyardRun(group, db, redis, api.url, user.token, projectId);
    const shipStart = wallClockMs();
    for (let i = 0; i < BURST; i += 200) {
      for (let j = i; j < Math.min(BURST, i + 200); j++) burst.sink.emit({ type: 'TEXT', payload: { text: String(wallClockMs()) } });
      await new Promise((r) => setImmediate(r));
    }
    burst.sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: null } });
    await burst.sink.close();
    const burstTally = await burst.done(180_000, 'shipyard burst');
    const shipThroughput = (BURST + 1) / ((burstTally.lastArrival - shipStart) / 1000);
    const shipBurstAudit = audit(burstTally, Array.from({ length: BURST + 2 }, (_, i) => i + 1));

    const sortedRaw = [...rawLatency.latencies].sort((a, b) => a - b);
    const sortedShip = [...shipTally.latencies].sort((a, b) => a - b);
    const row = (name: string, sorted: number[], throughput: number, a: ReturnType<typeof audit>, b: ReturnType<typeof audit>) =>
      `${name.padEnd(34)} p50 ${fmt(percentile(sorted, 50)).padStart(8)} ms   p99 ${fmt(percentile(sorted, 99)).padStart(8)} ms   ` +
      `throughput ${fmt(throughput, 0).padStart(7)} ev/s (×${SUBSCRIBERS} subscribers)   lost ${a.lost + b.lost} duplicated ${a.duplicated + b.duplicated} out-of-order ${a.outOfOrder + b.outOfOrder}`;
    const sortedDurable = [...durableLatency.latencies].sort((a, b) => a - b);
    console.log(row('raw ioredis publish→subscribe', sortedRaw, rawThroughput, rawAudit, rawBurstAudit));
    console.log(`${'bare durable INSERT→PUBLISH→subscribe'.padEnd(34)} p50 ${fmt(percentile(sortedDurable, 50)).padStart(8)} ms   p99 ${fmt(percentile(sortedDurable, 99)).padStart(8)} ms   (latency phase only)   lost ${durableAudit.lost} duplicated ${durableAudit.duplicated} out-of-order ${durableAudit.outOfOrder}`);
    console.log(row(`Shipyard emit→persist→publish→${TRANSPORT === 'ws' ? 'WS' : 'SSE'}`, sortedShip, shipThroughput, shipAudit, shipBurstAudit));
    const sortedPublish = [...ship.publishLatencyBySeq.values()].sort((a, b) => a - b);
    console.log(`  of which emit→INSERT committed→PUBLISH arrived: p50 ${fmt(percentile(sortedPublish, 50))} ms, p99 ${fmt(percentile(sortedPublish, 99))} ms`);
    // Per delivery: its latency minus its event's emit→PUBLISH latency (seen by a probe in this process, so approximate).
    const hops = shipTally.latencies.map((l, i) => l - (ship.publishLatencyBySeq.get(shipTally.latencySeqs[i]!) ?? NaN)).filter(Number.isFinite);
    const sortedHops = hops.sort((a, b) => a - b);
    console.log(`  and PUBLISH arrived→delivered (Redis → API → subscriber): p50 ${fmt(percentile(sortedHops, 50))} ms, p99 ${fmt(percentile(sortedHops, 99))} ms`);
    console.log(`CPU (% of one core) during the latency phase, raw: ${formatCpu(rawCpu)}`);
    console.log(`CPU (% of one core) during the latency phase, Shipyard: ${formatCpu(shipCpu)}`);
    const p99Delta = percentile(sortedShip, 99) - percentile(sortedRaw, 99);
    const ratio = shipThroughput / rawThroughput;
    const lossless = [shipAudit, shipBurstAudit].every((a) => a.lost === 0 && a.duplicated === 0 && a.outOfOrder === 0);
    console.log(`\np99 latency: Shipyard − raw = ${fmt(p99Delta)} ms (goal ≤ 5 ms: ${p99Delta <= 5 ? 'met' : 'NOT met'})`);
    const durableP99Delta = percentile(sortedShip, 99) - percentile(sortedDurable, 99);
    const durableP50Delta = percentile(sortedShip, 50) - percentile(sortedDurable, 50);
    console.log(`p99 latency: Shipyard − bare durable = ${fmt(durableP99Delta)} ms (goal ≤ 5 ms: ${durableP99Delta <= 5 ? 'met' : 'NOT met'})`);
    console.log(`p50 latency: Shipyard − bare durable = ${fmt(durableP50Delta)} ms (goal ≤ 2 ms: ${durableP50Delta <= 2 ? 'met' : 'NOT met'})`);
    console.log(`p50 latency ratio Shipyard/raw = ${fmt(percentile(sortedShip, 50) / percentile(sortedRaw, 50))}×`);
    console.log(`throughput ratio Shipyard/raw = ${fmt(ratio * 100, 1)}% (goal ≥ 50%: ${ratio >= 0.5 ? 'met' : 'NOT met'})`);
    console.log(`events lost or duplicated through Shipyard: ${lossless ? '0 (goal met)' : 'SOME (goal NOT met)'}`);
    publisher.disconnect();
    ship.probe.disconnect();
    burst.probe.disconnect();
  } finally {
    group.close();
    await api.stop('SIGTERM');
    redis.disconnect();
    await db.$disconnect();
    await database.drop();
  }
  process.exit(0); // the API's and subscribers' sockets would otherwise keep the process alive
}

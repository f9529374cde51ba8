// The subscribers of bench:events, in BENCH_SUBSCRIBER_PROCESSES (2) child processes of the benchmark, so that neither
// the emitter nor the readers starve the other. They stand in for remote clients, so they run at a lower CPU priority
// (BENCH_SUBSCRIBER_NICE, 10; 0 = same as the rest): on a 2-core machine their reading would otherwise take the cores
// that Postgres and the API (Shipyard's path) or Redis (raw's) need. Every path is read by the same processes.
// This file is also the child's entry point: forked with BENCH_ROLE=subscribers, it answers the parent over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { createRedis } from '../src/redis.js';
import { wallClockMs } from './support.js';
import { readSse } from './sse-reader.js';
import { readWs } from './ws-reader.js';
import { Recorder, type Tally } from './recorder.js';

const SUBSCRIBER_NICE = Number(process.env.BENCH_SUBSCRIBER_NICE ?? 10);
/** How Shipyard's subscribers connect: GraphQL over SSE (sse) or graphql-ws over a WebSocket (ws). */
export const TRANSPORT = process.env.BENCH_TRANSPORT === 'ws' ? 'ws' : 'sse';
const readSubscription = TRANSPORT === 'ws' ? readWs : readSse;
const SUBSCRIPTION = `subscription($runId: ID!) { agentRunEvents(runId: $runId) { seq type payload } }`;

/** Node's own flags for a child process, e.g. BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (NODE_OPTIONS refuses --cpu-prof). */
export const nodeArgs = (variable: string) => (process.env[variable] ?? '').split(' ').filter(Boolean);

/** Each path (raw, durable, shipyard, …) has its own subscribers and tally, so that their rounds can alternate. */
export type Command =
  | { cmd: 'raw'; path: string; channel: string; count: number }
  | { cmd: 'sse'; path: string; url: string; token: string; runId: string; count: number }
  | { cmd: 'progress'; path: string }
  /** Starts a fresh tally on the same connections (after a warm-up). */
  | { cmd: 'reset'; path: string }
  | { cmd: 'tally'; path: string }
  /** Resolves once the path's subscriptions ended (null, or the first error's message). */
  | { cmd: 'done'; path: string }
  /** Disconnects the path's raw subscribers. */
  | { cmd: 'close'; path: string };

type RawEvent = { seq: number; payload: { text: string } };

interface PathSubscribers {
  recorder: Recorder;
  raw: Redis[];
  done: Promise<string | null>;
}

/** Runs in a child process: holds `count` subscribers per path (raw, or Shipyard's over SSE or WebSocket) and answers the parent's commands over IPC. */
async function subscriberProcess() {
  const paths = new Map<string, PathSubscribers>();
  const pathOf = (name: string) => {
    const path = paths.get(name);
    if (!path) throw new Error(`no subscribers for path ${name}`);
    return path;
  };
  const record = (path: PathSubscribers, i: number, seq: number, sentAt: number | null) => {
    const now = wallClockMs();
    path.recorder.record(i, seq, now, sentAt === null ? null : now - sentAt);
  };
  const handle = async (m: Command): Promise<unknown> => {
    switch (m.cmd) {
      case 'raw': {
        const path: PathSubscribers = { recorder: new Recorder(m.count), raw: [], done: Promise.resolve(null) };
        paths.set(m.path, path);
        path.raw = Array.from({ length: m.count }, () => createRedis(undefined, { worker: true }));
        path.raw.forEach((sub, i) =>
          sub.on('message', (_ch: string, message: string) => {
            // One event (raw pub/sub) or a batch of them (the bare durable path publishes what one INSERT committed).
            const parsed = JSON.parse(message) as RawEvent | RawEvent[];
            for (const event of Array.isArray(parsed) ? parsed : [parsed]) {
              record(path, i, event.seq, event.payload.text === 'warmup' ? null : Number(event.payload.text));
            }
          }),
        );
        await Promise.all(path.raw.map((r) => r.subscribe(m.channel)));
        return null;
      }
      case 'sse': {
        const path: PathSubscribers = { recorder: new Recorder(m.count), raw: [], done: Promise.resolve(null) };
        paths.set(m.path, path);
        const controller = new AbortController();
        path.done = Promise.all(
          Array.from({ length: m.count }, (_, i) =>
            readSubscription(m.url, m.token, SUBSCRIPTION, { runId: m.runId }, (data) => {
              const event = data.data?.agentRunEvents;
              if (!event) throw new Error(`subscription error: ${JSON.stringify(data.errors)}`);
              record(path, i, event.seq, event.type === 'TEXT' && event.payload.text !== 'warmup' ? Number(event.payload.text) : null);
            }, controller.signal),
          ),
        ).then(() => null, (error: Error) => error.message);
        return null;
      }
      case 'reset': {
        const path = pathOf(m.path);
        path.recorder = new Recorder(path.recorder.subscribers);
        return null;
      }
      case 'progress':
        return pathOf(m.path).recorder.progress();
      case 'tally':
        return pathOf(m.path).recorder.tally();
      case 'done':
        return await pathOf(m.path).done;
      case 'close':
        pathOf(m.path).raw.forEach((r) => r.disconnect());
        return null;
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

export interface SubscriberGroup {
  /** Sends a command to every process; `perProcess` shapes it with that process's subscriber count. */
  all<T>(perProcess: (count: number) => Command): Promise<T[]>;
  progress(path: string): Promise<{ min: number; max: number }>;
  readonly pids: number[];
  tally(path: string): Promise<Tally>;
  close(): void;
}

export async function startSubscriberProcesses(subscribers: number, processes: number): Promise<SubscriberGroup> {
  const counts = Array.from({ length: processes }, (_, p) => Math.floor(subscribers / processes) + (p < subscribers % processes ? 1 : 0));
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
    async progress(path) {
      const each = await all<{ min: number; max: number }>(() => ({ cmd: 'progress', path }));
      return { min: Math.min(...each.map((e) => e.min)), max: Math.max(...each.map((e) => e.max)) };
    },
    async tally(path) {
      const each = await all<Tally>(() => ({ cmd: 'tally', path }));
      return { latencies: each.flatMap((t) => t.latencies), latencySeqs: each.flatMap((t) => t.latencySeqs), received: each.flatMap((t) => t.received), lastArrival: Math.max(...each.map((t) => t.lastArrival)) };
    },
    pids: children.map((c) => c.pid!),
    close: () => children.forEach((c) => c.kill()),
  };
}

/** Polls the subscriber processes until every subscriber has at least `count` events. */
export async function waitForAll(group: SubscriberGroup, path: string, count: number, timeoutMs: number, what: string) {
  const start = Date.now();
  for (;;) {
    const { min, max } = await group.progress(path);
    if (min >= count) return;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out: ${what} (received per subscriber min ${min} max ${max})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

if (process.env.BENCH_ROLE === 'subscribers') await subscriberProcess();

// Agent-runtime benchmark. (1) The platform's own overhead per agent turn: one long session against a zero-latency
// scripted model with a trivial in-process tool, tool time excluded, compared with a bare SDK streaming loop over
// the same growing conversation (the baseline, measured in the same run). (2) The worker's RSS and event-loop lag
// while 100 scripted runs execute concurrently in this process, compared with the same process idle and with the same
// 100 runs through the bare SDK (no platform) at the same pace; once paced like the real API (the goals), once with
// no time to first token (a stress pace at which the bare SDK alone keeps a core busy).
// The scripted Messages API runs in a child process so its work does not count against the worker.
// Knobs: BENCH_TURNS (200), BENCH_RUNS (100), BENCH_SESSION_TURNS (8), BENCH_FIRST_TOKEN_MS (500), BENCH_EVENT_DELAY_MS (20),
// BENCH_STRESS=0 (skip the stress pace), BENCH_MEMORY_SINK=1 (concurrency part without event persistence, to tell the runtime's cost from the sink's).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import { DEFAULT_ALLOWED_COMMANDS, DEFAULT_ALLOWED_TOOLS, defaultAgentsData } from '../src/agent-config/defaults.js';
import { CODING_PROMPT } from '../src/agent-config/prompts.js';
import { platformNotes } from '../worker/agent/session-prompt.js';
import { toolDefinitions } from '../worker/tools/index.js';
import { nodeFetch } from '../worker/agent/node-fetch.js';
import { createPrismaClient } from '../src/db/client.js';
import { createRunEventSink, type RunEventSink } from '../src/events/sink.js';
import { parseFeatureList } from '../src/features/feature-list.js';
import { syncFeatureRows } from '../src/features/sync.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createRedis } from '../src/redis.js';
import { runtimeMetrics } from '../worker/agent/metrics.js';
import { agentRuntime } from '../worker/agent/runtime.js';
import { ensureWorkspace } from '../worker/workspace.js';
import { createBenchDatabase, fmt } from './support.js';

const MODEL = 'claude-sonnet-5-5';
const OVERHEAD_TURNS = Number(process.env.BENCH_TURNS ?? 200);
const CONCURRENT_RUNS = Number(process.env.BENCH_RUNS ?? 100);
const TURNS_PER_SESSION = Number(process.env.BENCH_SESSION_TURNS ?? 8);
const SESSIONS_PER_RUN = 2;
/**
 * The concurrency part's pace. Published figures for Sonnet-class models: time to first token ~0.4 s (p50) to
 * ~1.2 s (p95), ~90 output tokens/s, i.e. ~25-35 ms per SSE delta of 2-3 tokens. The paced part uses 500 ms to the
 * first token and 20 ms between events (faster than that); the stress part drops the time to first token.
 */
const FIRST_TOKEN_MS = Number(process.env.BENCH_FIRST_TOKEN_MS ?? 500);
const EVENT_DELAY_MS = Number(process.env.BENCH_EVENT_DELAY_MS ?? 20);

// ---- child mode: the scripted model server ----------------------------------------------------------------------
if (process.argv[2] === '--model-server') {
  const { startScriptedAnthropic, say, editor, bash } = await import('../tests/helpers/scripted-anthropic.js');
  const turnsPerSession = Number(process.argv[3]);
  const delayMs = Number(process.argv[4] ?? 0);
  const firstTokenMs = Number(process.argv[5] ?? 0);
  // Jitter (0-2x the mean) keeps the runs from moving in lockstep, as independent real runs never do.
  const jitter = process.env.BENCH_JITTER !== '0';
  const spread = (mean: number) => (jitter && mean ? () => Math.random() * 2 * mean : mean);
  const paced = <T extends object>(turn: T) => ({ ...turn, delayMs: spread(delayMs), firstTokenDelayMs: spread(firstTokenMs) });
  const server = await startScriptedAnthropic({
    recordLimit: 1,
    // Each session: turns-1 tool calls (one bash per session, the rest editor views), then end_turn.
    fallback: (request) => {
      const turn = (request.body.messages.length + 1) / 2; // 1-based turn within the session
      if (turn >= turnsPerSession) return paced(say('Session done.'));
      if (turn === 2) return paced(bash('ls'));
      return paced({ content: [{ type: 'text' as const, text: `Looking at the notes (turn ${turn}).` }, ...editor({ command: 'view', path: 'notes.txt' }).content] });
    },
  });
  process.send!({ url: server.url });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
} else {
  await main();
}

/** Busy and total jiffies of the whole machine (Linux), to see whether the worker had to wait for a core. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - fields[3] - (fields[4] ?? 0), total };
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/**
 * The longest event-loop stalls (a 5 ms timer firing late by > 50 ms), when they happened in the concurrent part and
 * how much of each was garbage-collection pause, to tell collector pauses from long stretches of work.
 */
function recordStalls() {
  const stalls: Array<{ at: number; ms: number }> = [];
  const gcs: Array<{ start: number; end: number }> = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > 55) stalls.push({ at: last, ms: now - last - 5 });
    last = now;
  }, 5);
  return {
    stop(origin: number): string {
      clearInterval(timer);
      observer.disconnect();
      const gcIn = (from: number, to: number) => gcs.reduce((sum, g) => sum + Math.max(0, Math.min(to, g.end) - Math.max(from, g.start)), 0);
      const gcTotal = gcIn(origin, performance.now());
      const worst = [...stalls].sort((a, b) => b.ms - a.ms).slice(0, 5);
      const perSecond = new Map<number, number>();
      for (const s of stalls) perSecond.set(Math.floor((s.at - origin) / 1000), (perSecond.get(Math.floor((s.at - origin) / 1000)) ?? 0) + 1);
      return [
        `stalls > 50 ms   ${stalls.length} (GC pauses in the part: ${fmt(gcTotal, 0)} ms in total); longest: ${worst.map((s) => `${fmt(s.ms, 0)} ms at +${fmt((s.at - origin) / 1000, 1)} s (GC ${fmt(gcIn(s.at, s.at + s.ms + 5), 0)} ms)`).join(', ') || 'none'}`,
        `  stalls per second of the part: ${[...perSecond].sort((a, b) => a[0] - b[0]).map(([sec, n]) => `${sec}s:${n}`).join(' ') || 'none'}`,
      ].join('\n');
    },
  };
}

async function startModelServer(turnsPerSession: number, delayMs = 0, firstTokenMs = 0): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), ['--model-server', String(turnsPerSession), String(delayMs), String(firstTokenMs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`model server exited (${code})`)));
  });
  return { url, child };
}

async function seedProject(db: PrismaClient, generations: string, i: number) {
  const slug = `BENCH${i}${Date.now().toString(36).toUpperCase()}`;
  const project = await db.project.create({
    data: {
      name: slug,
      slug,
      appSpec: 'benchmark',
      workspacePath: join(generations, slug),
      agents: { create: defaultAgentsData().map((a) => ({ ...a, model: MODEL, maxTurns: 10_000 })) },
    },
  });
  await ensureWorkspace(project.workspacePath, 'benchmark');
  const list = '[{"category":"functional","description":"never done","steps":["x"],"passes":false}]\n';
  writeFileSync(join(project.workspacePath, 'feature_list.json'), list);
  writeFileSync(join(project.workspacePath, 'notes.txt'), 'line one\nline two\nline three\n');
  await syncFeatureRows(db, project.id, parseFeatureList(list), { passes: 'from-list' });
  return project;
}

/** Keeps events in memory: isolates the runtime's own cost from event persistence (the sink's batched INSERT + PUBLISH). */
function memorySink(): RunEventSink {
  let lastSeq = 0;
  return {
    emit: () => void lastSeq++,
    flush: async () => undefined,
    close: async () => undefined,
    get lastSeq() {
      return lastSeq;
    },
    failure: null,
  };
}

async function runOnce(db: PrismaClient, redis: ReturnType<typeof createRedis>, projectId: string, maxSessions: number, persistEvents = true) {
  const run = await db.agentRun.create({ data: { projectId, status: 'RUNNING', maxSessions } });
  const events = persistEvents ? await createRunEventSink({ db, redis, runId: run.id, projectId }) : memorySink();
  const outcome = await agentRuntime({ runId: run.id, db, events, signal: new AbortController().signal });
  await events.close();
  if (outcome.status !== 'STOPPED') throw new Error(`unexpected outcome ${JSON.stringify(outcome)}`);
  return run.id;
}

/** The same requests (system prompt, tools, growing conversation) through the bare SDK: what any client pays per turn. */
async function sdkBaseline(url: string, turns: number, system: string, transport: 'stock' | 'node' = 'node'): Promise<number> {
  // 'node': the same fetch the worker gives the SDK (worker/agent/node-fetch.ts), so only the platform's own work
  // differs; 'stock': the SDK's default (the built-in fetch).
  const client = new Anthropic({ baseURL: url, apiKey: 'sk-ant-bench', maxRetries: 0, ...(transport === 'node' ? { fetch: nodeFetch } : {}) });
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: [{ type: 'text', text: 'Session 1: continue the project.' }] }];
  const started = performance.now();
  for (let i = 0; i < turns; i++) {
    const message = await client.messages
      .stream({ model: MODEL, max_tokens: 16_000, system: [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }], tools: toolDefinitions(DEFAULT_ALLOWED_TOOLS), messages })
      .finalMessage();
    const use = message.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    messages.push({ role: 'assistant', content: message.content.map((b) => (b.type === 'text' ? { type: 'text' as const, text: b.text } : { type: 'tool_use' as const, id: (b as Anthropic.ToolUseBlock).id, name: (b as Anthropic.ToolUseBlock).name, input: (b as Anthropic.ToolUseBlock).input })) });
    if (!use) break;
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '     1\tline one\n     2\tline two\n     3\tline three\n     4\t' }] });
  }
  return (performance.now() - started) / turns;
}

/**
 * The same concurrency with the bare SDK: every "run" streams its sessions' turns through client.messages.stream with
 * no platform around it (no events, no database, no tools). What any Node client of the API pays at this pace.
 */
async function concurrentSdkBaseline(url: string, runs: number, system: string, transport: 'stock' | 'node' = 'node') {
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: runs }, (_, i) =>
      new Promise((r) => setTimeout(r, (i * 1000) / runs)).then(async () => {
        for (let s = 0; s < SESSIONS_PER_RUN; s++) await sdkBaseline(url, TURNS_PER_SESSION, system, transport);
      }),
    ),
  );
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  lag.disable();
  return { wall, cpuShare: (cpu.user + cpu.system) / 1000 / wall, lagP99: lag.percentile(99) / 1e6, lagP50: lag.percentile(50) / 1e6, cpuPerTurn: (cpu.user + cpu.system) / 1000 / (runs * SESSIONS_PER_RUN * TURNS_PER_SESSION), sysPerTurn: cpu.system / 1000 / (runs * SESSIONS_PER_RUN * TURNS_PER_SESSION) };
}

interface Pace {
  name: string;
  firstTokenMs: number;
  eventDelayMs: number;
  /** Whether the goals are judged at this pace. */
  goal: boolean;
}

/** 100 runs at once in this process (started over 1 s, as jobs arrive): RSS and event-loop lag, against the bare SDK. */
async function concurrentPart(db: PrismaClient, redis: ReturnType<typeof createRedis>, server: { url: string; child: ChildProcess }, projects: Array<{ id: string }>, system: string, pace: Pace) {
  process.env.ANTHROPIC_BASE_URL = server.url;
  const { resetModelClient } = await import('../worker/agent/runtime.js');
  resetModelClient();
  const bare = await concurrentSdkBaseline(server.url, projects.length, system);
  // The SDK's own default fetch at the same pace: what worker/agent/node-fetch.ts saves.
  const stock = pace.goal ? await concurrentSdkBaseline(server.url, projects.length, system, 'stock') : null;
  global.gc?.();

  const idleLag = monitorEventLoopDelay({ resolution: 5 });
  idleLag.enable();
  let idleRss = 0;
  const idleStart = performance.now();
  while (performance.now() - idleStart < 2_000) {
    idleRss = Math.max(idleRss, process.memoryUsage.rss());
    await new Promise((r) => setTimeout(r, 50));
  }
  idleLag.disable();

  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const stalls = recordStalls();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  runtimeMetrics.reset();
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  const modelBefore = processCpuMs(server.child.pid);
  const concurrentStart = performance.now();
  const runIds = await Promise.all(
    projects.map((p, i) => new Promise((r) => setTimeout(r, (i * 1000) / projects.length)).then(() => runOnce(db, redis, p.id, SESSIONS_PER_RUN, process.env.BENCH_MEMORY_SINK !== '1'))),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const machineAfter = machineCpu();
  const modelCpu = processCpuMs(server.child.pid) - modelBefore;
  const concurrentWall = performance.now() - concurrentStart;
  clearInterval(sampler);
  lag.disable();
  const stallReport = stalls.stop(concurrentStart);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const events = await db.agentRunEvent.count({ where: { runId: { in: runIds } } });

  const ms = (ns: number) => ns / 1e6;
  const goal = (text: string) => (pace.goal ? `; goal ${text}` : '');
  const p99 = ms(lag.percentile(99));
  console.log(`\n== Agent runtime: ${projects.length} concurrent scripted runs, ${pace.name} (${SESSIONS_PER_RUN} sessions x ${TURNS_PER_SESSION} turns each, one bash + editor tools; time to first token ${pace.firstTokenMs ? `${pace.firstTokenMs} ms mean (0-${2 * pace.firstTokenMs} ms)` : '0'}, then ${pace.eventDelayMs} ms mean (0-${2 * pace.eventDelayMs} ms) between SSE events; runs started over 1 s) ==`);
  console.log(`completed in ${fmt(concurrentWall / 1000)} s: ${runtimeMetrics.turns} turns, ${events} events persisted`);
  console.log(`worker CPU        ${fmt((cpu.user + cpu.system) / 1000 / runtimeMetrics.turns)} ms per turn, ${fmt(cpu.system / 1000 / runtimeMetrics.turns)} of it in the kernel (${fmt(((cpu.user + cpu.system) / 1000 / concurrentWall) * 100, 0)}% of one core on average)`);
  console.log(`RSS peak          ${fmt(peakRss / 1e6, 0)} MB   (idle baseline ${fmt(idleRss / 1e6, 0)} MB, ratio ${fmt(peakRss / idleRss)}x${goal('<= 600 MB')})`);
  console.log(`event-loop lag    p50 ${fmt(ms(lag.percentile(50)))} ms, p99 ${fmt(p99)} ms, max ${fmt(ms(lag.max))} ms   (idle baseline p99 ${fmt(ms(idleLag.percentile(99)))} ms${goal('p99 <= 50 ms')})`);
  console.log(`baseline: the same runs through the bare SDK (same fetch, no platform, no tools) at this pace: ${fmt(bare.wall / 1000)} s, CPU ${fmt(bare.cpuPerTurn)} ms per turn, ${fmt(bare.sysPerTurn)} in the kernel (${fmt(bare.cpuShare * 100, 0)}% of one core), lag p50 ${fmt(bare.lagP50)} ms, p99 ${fmt(bare.lagP99)} ms`);
  if (stock) console.log(`          and with the SDK's default fetch:                                  CPU ${fmt(stock.cpuPerTurn)} ms per turn (${fmt(stock.cpuShare * 100, 0)}% of one core), lag p99 ${fmt(stock.lagP99)} ms -> node-fetch saves ${fmt((1 - bare.cpuPerTurn / stock.cpuPerTurn) * 100, 0)}% of the SDK's CPU`);
  console.log(`ratios            worker CPU per turn ${fmt((cpu.user + cpu.system) / 1000 / runtimeMetrics.turns / bare.cpuPerTurn)}x the bare SDK's, lag p99 ${fmt(p99 / bare.lagP99)}x`);
  console.log(stallReport);
  if (machineBefore && machineAfter) {
    const busy = (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
    const share = (cpuMs: number) => `${fmt((cpuMs / concurrentWall) * 100, 0)}%`;
    console.log(`machine CPU       ${fmt(busy * 100, 0)}% of ${cpus().length} cores busy during the part: worker ${share((cpu.user + cpu.system) / 1000)}, scripted model server ${share(modelCpu)} of one core, the rest Postgres, Redis, commands`);
  }
}

async function main() {
  const database = await createBenchDatabase();
  const db = createPrismaClient(database.url, 20);
  const redis = createRedis();
  const generations = mkdtempSync(join(tmpdir(), 'shipyard-bench-'));
  const children: ChildProcess[] = [];
  try {
    // ---- (1) overhead per turn ----
    const longServer = await startModelServer(OVERHEAD_TURNS);
    children.push(longServer.child);
    process.env.ANTHROPIC_BASE_URL = longServer.url;
    process.env.ANTHROPIC_API_KEY = 'sk-ant-bench';
    const warm = await seedProject(db, generations, 0);
    await runOnce(db, redis, warm.id, 1); // warm-up: JIT, connections, first git spawns
    const system = `${CODING_PROMPT}\n\n${platformNotes(warm.workspacePath, DEFAULT_ALLOWED_COMMANDS)}`;
    await sdkBaseline(longServer.url, 20, system);
    await sdkBaseline(longServer.url, 20, system, 'stock');

    const project = await seedProject(db, generations, 1);
    runtimeMetrics.reset();
    const started = performance.now();
    await runOnce(db, redis, project.id, 1);
    const wall = performance.now() - started;
    const { turns, toolMs, modelMs } = runtimeMetrics;
    const baselinePerTurn = await sdkBaseline(longServer.url, OVERHEAD_TURNS, system);
    const stockPerTurn = await sdkBaseline(longServer.url, OVERHEAD_TURNS, system, 'stock');
    const quiet = await seedProject(db, generations, 2);
    runtimeMetrics.reset();
    const quietStarted = performance.now();
    await runOnce(db, redis, quiet.id, 1, false);
    const quietPerTurn = (performance.now() - quietStarted - runtimeMetrics.toolMs) / runtimeMetrics.turns;
    const perTurn = (wall - toolMs) / turns;
    const platformOnly = perTurn - baselinePerTurn;
    const runtimeLogic = (wall - toolMs - modelMs) / turns;

    console.log(`\n== Agent runtime: overhead per turn (${turns} turns, zero-latency scripted model, tool time excluded) ==`);
    console.log(`baseline: bare SDK stream round trip, same requests       ${fmt(baselinePerTurn)} ms/turn  (with the worker's node:http fetch; the SDK's default fetch: ${fmt(stockPerTurn)} ms/turn)`);
    console.log(`agentRuntime per turn (wall - tool time)                      ${fmt(perTurn)} ms/turn  (ratio ${fmt(perTurn / baselinePerTurn)}x baseline)`);
    console.log(`platform overhead on top of the SDK round trip            ${fmt(platformOnly)} ms/turn  (goal <= 5 ms)`);
    console.log(`  of which outside the model stream (events, DB usage rows, guard, git HEAD check): ${fmt(runtimeLogic)} ms/turn`);
    console.log(`  tool time excluded: ${fmt(toolMs / turns)} ms/turn`);
    console.log(`same run with events kept in memory (no INSERT/PUBLISH)   ${fmt(quietPerTurn)} ms/turn  -> runtime overhead without event persistence ${fmt(quietPerTurn - baselinePerTurn)} ms/turn`);
    longServer.child.disconnect();

    // ---- (2) 100 concurrent runs, at two paces ----
    const projects = [];
    for (let i = 0; i < CONCURRENT_RUNS; i++) projects.push(await seedProject(db, generations, 100 + i));
    const paces: Pace[] = [
      { name: 'paced like the real API', firstTokenMs: FIRST_TOKEN_MS, eventDelayMs: EVENT_DELAY_MS, goal: true },
      { name: 'stress: no time to first token', firstTokenMs: 0, eventDelayMs: EVENT_DELAY_MS, goal: false },
    ];
    for (const pace of process.env.BENCH_STRESS === '0' ? paces.filter((p) => p.goal) : paces) {
      const server = await startModelServer(TURNS_PER_SESSION, pace.eventDelayMs, pace.firstTokenMs);
      children.push(server.child);
      await concurrentPart(db, redis, server, projects, system, pace);
      server.child.disconnect();
    }
  } finally {
    for (const child of children) if (child.connected) child.disconnect();
    await db.$disconnect();
    redis.disconnect();
    await database.drop();
    rmSync(generations, { recursive: true, force: true });
  }
}

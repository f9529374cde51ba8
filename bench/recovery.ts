// npm run bench:recovery — how long a running run stalls after each fault: the time from the fault's end (worker
// SIGKILLed, Redis restarted, Postgres back after 10 s down, API process restarted) to the run's next event.
// Private Postgres cluster and Redis server (restarting them disturbs nobody), two scripted worker processes with the
// production timings (printed), a run emitting an event every 50 ms (the baseline: the gap between events when
// nothing is wrong). Goals: ≤ 10 s for a killed worker, ≤ 5 s for the others.
import { randomBytes } from 'node:crypto';
import { createPrismaClient } from '../src/db/client.js';
import { createRedis } from '../src/redis.js';
import { createRunQueue } from '../src/queue/run-queue.js';
import { workerTimings } from '../src/queue/settings.js';
import { leaseMs } from '../src/runs/lease.js';
import { dbRetryLimitMs } from '../src/db/transient.js';
import { config } from '../src/config/index.js';
import { startOwnPostgres, startOwnRedis } from '../tests/helpers/fault-services.js';
import { freePort, pidOfWorkerId, startApiProcess, startScriptedWorker, type Proc } from '../tests/helpers/processes.js';
import { subscribeSse } from '../tests/helpers/subscriptions.js';
import { signUp } from '../tests/helpers/api.js';

const INTERVAL_MS = 50;
const PG_DOWN_MS = Number(process.env.BENCH_PG_DOWN_MS ?? 10_000);
const REDIS_DOWN_MS = Number(process.env.BENCH_REDIS_DOWN_MS ?? 3000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pgServer = await startOwnPostgres();
const redisServer = await startOwnRedis({ aof: true });
const db = createPrismaClient(pgServer.url);
const queueName = `bench-recovery-${randomBytes(3).toString('hex')}`;
const env = { DATABASE_URL: pgServer.url, REDIS_URL: redisServer.url, SHIPYARD_QUEUE: queueName, WORKER_CONCURRENCY: '2' };
const workers: Proc[] = await Promise.all([startScriptedWorker(env), startScriptedWorker(env)]);
const results: Array<{ fault: string; ms: number; goalMs: number }> = [];

/** The first event the run stores at or after `since` (Date.now() clock; workers run on this host). */
async function nextEventAfter(runId: string, since: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const event = await db.agentRunEvent
      .findFirst({ where: { runId, createdAt: { gte: new Date(since) } }, orderBy: { seq: 'asc' }, select: { createdAt: true } })
      .catch(() => null);
    if (event) return event.createdAt.getTime() - since;
    await sleep(20);
  }
  throw new Error(`no event within ${timeoutMs} ms`);
}

async function startRun(): Promise<string> {
  const tag = randomBytes(4).toString('hex');
  const project = await db.project.create({
    data: { name: `bench ${tag}`, slug: `B${tag.toUpperCase()}`, workspacePath: `/tmp/bench-${tag}`, appSpec: JSON.stringify({ sessions: 1, eventsPerSession: 1_000_000, intervalMs: INTERVAL_MS }) },
  });
  const run = await db.agentRun.create({ data: { projectId: project.id } });
  const connection = createRedis(redisServer.url, { worker: true });
  const queue = createRunQueue({ connection, name: queueName });
  await queue.enqueue(run.id);
  await queue.close();
  connection.disconnect();
  while (!(await db.agentRunEvent.count({ where: { runId: run.id } }))) await sleep(20);
  return run.id;
}

try {
  const runId = await startRun();
  const baseline = await nextEventAfter(runId, Date.now());

  // 1. The worker holding the run is SIGKILLed; the other one takes over.
  const holder = await db.agentRun.findUniqueOrThrow({ where: { id: runId }, select: { workerId: true } });
  const victim = workers.find((w) => w.child.pid === pidOfWorkerId(holder.workerId!))!;
  victim.child.kill('SIGKILL');
  await victim.exited;
  const killedAt = Date.now();
  results.push({ fault: 'worker SIGKILL', ms: await nextEventAfter(runId, killedAt), goalMs: 10_000 });
  workers.splice(workers.indexOf(victim), 1, await startScriptedWorker(env));

  // 2. Redis restarted (AOF on): the live copy keeps its lease and goes on.
  await redisServer.stop();
  await sleep(REDIS_DOWN_MS);
  await redisServer.start();
  results.push({ fault: `Redis restart (${REDIS_DOWN_MS / 1000} s down)`, ms: await nextEventAfter(runId, Date.now()), goalMs: 5000 });

  // 3. Postgres down long enough that the copy stops itself; it claims the run again once Postgres is back.
  await pgServer.stop();
  await sleep(PG_DOWN_MS);
  await pgServer.start();
  results.push({ fault: `Postgres restart (${PG_DOWN_MS / 1000} s down)`, ms: await nextEventAfter(runId, Date.now()), goalMs: 5000 });

  // 4. The API process restarted: a subscriber resubscribes with its last seq and gets the next event.
  const user = await (async () => {
    const port = await freePort();
    const api = await startApiProcess({ DATABASE_URL: pgServer.url, REDIS_URL: redisServer.url, SHIPYARD_QUEUE: queueName }, port);
    return { api, port, account: await signUp(api, 'bench') };
  })();
  await user.api.stop('SIGTERM');
  const api = await startApiProcess({ DATABASE_URL: pgServer.url, REDIS_URL: redisServer.url, SHIPYARD_QUEUE: queueName }, user.port);
  const readyAt = Date.now();
  const lastSeq = (await db.agentRunEvent.aggregate({ where: { runId }, _max: { seq: true } }))._max.seq ?? 0;
  // Members only: the bench user joins the run's project first.
  const run = await db.agentRun.findUniqueOrThrow({ where: { id: runId }, select: { projectId: true } });
  const decoded = Buffer.from(user.account.userId, 'base64').toString();
  const userId = decoded.includes(':') ? decoded.split(':')[1]! : user.account.userId;
  await db.projectMember.create({ data: { projectId: run.projectId, userId, role: 'VIEWER' } });
  const globalRunId = Buffer.from(`AgentRun:${runId}`).toString('base64');
  const sub = subscribeSse(api.url, user.account.token, `subscription($r: ID!, $a: Int) { agentRunEvents(runId: $r, afterSeq: $a) { seq } }`, { r: globalRunId, a: lastSeq });
  while (!sub.results.some((r) => r.data)) {
    if (sub.results.some((r) => r.errors)) throw new Error(JSON.stringify(sub.results));
    await sleep(5);
  }
  results.push({ fault: 'API restart (resubscribe)', ms: Date.now() - readyAt, goalMs: 5000 });
  sub.stop();
  await api.stop('SIGTERM');

  const t = workerTimings();
  console.log('\nbench:recovery — time from the end of each fault to the run\'s next event');
  console.log(
    `settings: lockDuration ${t.lockDuration} ms, stalledInterval ${t.stalledInterval} ms, runRetryDelay ${t.runRetryDelay} ms, maxStalledCount ${t.maxStalledCount}; ` +
      `lease ${leaseMs()} ms (renewed every ${leaseMs() / 4} ms), reaper every ${config().worker.reapIntervalMs} ms, DB retry limit ${dbRetryLimitMs()} ms`,
  );
  console.log(`baseline: next event with no fault ${baseline} ms (events every ${INTERVAL_MS} ms)\n`);
  for (const r of results) {
    console.log(`${r.fault.padEnd(32)} ${String(r.ms).padStart(6)} ms   goal ≤ ${r.goalMs / 1000} s   ${r.ms <= r.goalMs ? 'ok' : 'MISSED'}`);
  }
} finally {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await db.$disconnect().catch(() => undefined);
  await redisServer.destroy();
  await pgServer.destroy();
}
process.exit(0);

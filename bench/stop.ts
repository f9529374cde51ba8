// npm run bench:stop — how fast stopAgentRun ends an active run: API in this process, a real worker process running
// a scripted agent blocked in a child process (`sleep 60`). For each of BENCH_STOPS runs: the mutation's round trip
// (it returns once the worker has written CANCELLED), and the time until the child process is gone. Goal: < 1 s.
// Baseline in the same run: a raw Redis PUBLISH→SUBSCRIBE round trip between the same two processes' connections.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/index.js';
import { startApi } from '../src/start-api.js';
import { createRedis } from '../src/redis.js';
import { getDb } from '../src/db/client.js';
import { gqlOk, signUp } from '../tests/helpers/api.js';
import { createProject, startAgentRun } from '../tests/helpers/foundation.js';
import { rawId } from '../tests/helpers/global-id.js';
import { isAlive, startScriptedWorker } from '../tests/helpers/processes.js';
import { StopAgentRunDocument } from '../tests/generated/graphql.js';
import { createBenchDatabase, fmt, percentile } from './support.js';

const STOPS = Number(process.env.BENCH_STOPS ?? 10);
const queueName = `bench-stop-${randomBytes(3).toString('hex')}`;

const database = await createBenchDatabase();
// This API's settings go to it directly, as the test kit's do (tests/helpers/api.ts).
const config = loadConfig({ ...process.env, DATABASE_URL: database.url, SHIPYARD_QUEUE: queueName, SHIPYARD_MIGRATE_ON_START: 'false' });
const api = await startApi({ port: 0, config, database: { url: database.url, embedded: false, poolMax: undefined, close: async () => {} } });
const worker = await startScriptedWorker({ DATABASE_URL: database.url, SHIPYARD_QUEUE: queueName });
try {
  const user = await signUp(api, 'bench');
  const projectId = (await createProject(api, user, 'Bench stop', JSON.stringify({ sessions: 1, eventsPerSession: 1, intervalMs: 1, sleep: true }))).id;
  const stopMs: number[] = [];
  const killMs: number[] = [];
  for (let i = 0; i < STOPS; i++) {
    const runGlobalId = await startAgentRun(api, user, projectId);
    const runId = rawId(runGlobalId);
    let pid: number | undefined;
    while (!pid) {
      const call = await getDb().agentRunEvent.findFirst({ where: { runId, type: 'TOOL_CALL' } });
      pid = (call?.payload as { input?: { pid?: number } } | undefined)?.input?.pid;
      if (!pid) await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = performance.now();
    const stopped = await gqlOk(api, StopAgentRunDocument, { id: runGlobalId }, user.token);
    stopMs.push(performance.now() - t0);
    if (stopped.stopAgentRun.status !== 'CANCELLED') throw new Error(`run ${runId} ended ${stopped.stopAgentRun.status}`);
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 1));
    killMs.push(performance.now() - t0);
  }

  const a = createRedis(undefined, { worker: true });
  const b = createRedis(undefined, { worker: true });
  const rtt: number[] = [];
  await b.subscribe('bench:stop:rtt');
  for (let i = 0; i < 50; i++) {
    const got = new Promise((r) => b.once('message', r));
    const t0 = performance.now();
    await a.publish('bench:stop:rtt', 'x');
    await got;
    rtt.push(performance.now() - t0);
  }
  a.disconnect();
  b.disconnect();

  const s = (xs: number[]) => [...xs].sort((x, y) => x - y);
  console.log(`${STOPS} runs stopped while their agent waited on a child process (sleep 60):`);
  console.log(`  stopAgentRun round trip (CANCELLED written): p50 ${fmt(percentile(s(stopMs), 50))} ms  max ${fmt(Math.max(...stopMs))} ms`);
  console.log(`  until the child process is gone:             p50 ${fmt(percentile(s(killMs), 50))} ms  max ${fmt(Math.max(...killMs))} ms`);
  console.log(`  baseline raw Redis publish→subscribe:         p50 ${fmt(percentile(s(rtt), 50))} ms  max ${fmt(Math.max(...rtt))} ms`);
  console.log(`goal < 1000 ms: ${Math.max(...stopMs, ...killMs) < 1000 ? 'met for every run' : 'NOT met for every run'}`);
} finally {
  await worker.stop('SIGKILL');
  await api.stop();
  await database.drop();
}
process.exit(0);

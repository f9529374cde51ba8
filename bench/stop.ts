// npm run bench:stop — how fast stopAgentRun ends an active run: API in this process, a real worker process running
// a scripted agent blocked in a child process (`sleep 60`). For each of BENCH_STOPS runs: the mutation's round trip
// (it returns once the worker has written CANCELLED), and the time until the child process is gone. Goal: < 1 s.
// Baseline in the same run: a raw Redis PUBLISH→SUBSCRIBE round trip between the same two processes' connections.
import { randomBytes } from 'node:crypto';
import { startApi } from '../src/start-api.js';
import { createRedis } from '../src/redis.js';
import { getDb } from '../src/db/client.js';
import { gqlOk, signUp } from '../tests/helpers/api.js';
import { isAlive, startScriptedWorker } from '../tests/helpers/processes.js';
import { createBenchDatabase, fmt, percentile } from './support.js';

const STOPS = Number(process.env.BENCH_STOPS ?? 10);
const queueName = `bench-stop-${randomBytes(3).toString('hex')}`;
process.env.SHIPYARD_QUEUE = queueName;
process.env.SHIPYARD_MIGRATE_ON_START = 'false';

const database = await createBenchDatabase();
process.env.DATABASE_URL = database.url;
const api = await startApi({ port: 0, database: { url: database.url, embedded: false, poolMax: undefined, close: async () => {} } });
const worker = await startScriptedWorker({ DATABASE_URL: database.url, SHIPYARD_QUEUE: queueName });
try {
  const user = await signUp(api, 'bench');
  const created = await gqlOk(
    api,
    `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`,
    { i: { name: 'Bench stop', appSpec: JSON.stringify({ sessions: 1, eventsPerSession: 1, intervalMs: 1, sleep: true }) } },
    user.token,
  );
  const projectId = created.createProject.id;
  const stopMs: number[] = [];
  const killMs: number[] = [];
  for (let i = 0; i < STOPS; i++) {
    const started = await gqlOk(api, `mutation($i: StartAgentRunInput!) { startAgentRun(input: $i) { id } }`, { i: { projectId } }, user.token);
    const runId = Buffer.from(started.startAgentRun.id, 'base64').toString().split(':')[1]!;
    let pid: number | undefined;
    while (!pid) {
      const call = await getDb().agentRunEvent.findFirst({ where: { runId, type: 'TOOL_CALL' } });
      pid = (call?.payload as { input?: { pid?: number } } | undefined)?.input?.pid;
      if (!pid) await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = performance.now();
    const stopped = await gqlOk(api, `mutation($id: ID!) { stopAgentRun(id: $id) { status } }`, { id: started.startAgentRun.id }, user.token);
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

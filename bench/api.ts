// npm run bench:api — req/s of the dashboard query through the real API vs a plain node:http + pg server that runs
// the very SQL statements the API issued for it (captured at run time), measured in the same run on loopback.
// Env: BENCH_POSTGRES_URL (admin URL, default postgresql://postgres@127.0.0.1:5432/postgres), BENCH_DURATION (s, 10),
// BENCH_CONNECTIONS (10), BENCH_ROUNDS (2: api and baseline alternate, to even out a busy machine).
// The load generator (autocannon) runs in a worker thread so it does not share the servers' event loop; both servers
// live in this process and are measured one at a time, after the same count-based warm-up (JIT settled on both).
// "busy ms/req" is the main thread's event-loop busy time per request (not counting the autocannon worker): the
// server's own cost per request, which is steadier on a loaded machine than req/s.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { print } from 'graphql';
import pg from 'pg';
import { applyMigrations } from '../src/db/migrations.js';
import { poolConfigFromUrl } from '../src/db/pool-config.js';
import { startApi } from '../src/start-api.js';
import { gqlOk, signUp } from '../tests/helpers/api.js';
import { seedDashboardProject } from '../tests/helpers/dashboard.js';
import { recordSql, statementShape, type RecordedStatement } from '../tests/helpers/sql-recorder.js';
import { DashboardDocument } from '../tests/generated/graphql.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WARMUP_REQUESTS = Number(process.env.BENCH_WARMUP_REQUESTS ?? 1500);

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

/** The baseline: parse the request, run the captured statements in order on a pg pool, send the rows as JSON. */
function startBaseline(databaseUrl: string, statements: RecordedStatement[]): Promise<{ server: Server; url: string; pool: pg.Pool }> {
  const pool = new pg.Pool(poolConfigFromUrl(databaseUrl));
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const results: unknown[] = [];
      for (const statement of statements) results.push((await pool.query({ text: statement.text, values: statement.values })).rows);
      const body = JSON.stringify({ data: results });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, pool })),
  );
}

const load = (url: string, body: string, token: string, length: { duration: number } | { amount: number }) =>
  autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
    connections: CONNECTIONS,
    ...length,
    workers: 1,
  });

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

const databaseName = `shipyard_bench_${randomBytes(5).toString('hex')}`;
const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${databaseName}` }).toString();
const generations = await mkdtemp(join(tmpdir(), 'shipyard-bench-'));
process.env.GENERATIONS_DIR = generations;

await admin(`CREATE DATABASE "${databaseName}"`);
let stopApi: (() => Promise<void>) | undefined;
let baseline: Awaited<ReturnType<typeof startBaseline>> | undefined;
try {
  await applyMigrations(databaseUrl);
  const api = await startApi({ port: 0, database: { url: databaseUrl, embedded: false, poolMax: undefined, close: async () => {} } });
  stopApi = api.stop;
  const target = { url: api.url, databaseUrl };
  const owner = await signUp(target, 'bench');
  console.log('Seeding the dashboard project: 50 features, 20 epics with 2 children each…');
  const projectId = await seedDashboardProject(target, owner, { name: 'Bench Board', features: 50, epics: 20, childrenPerEpic: 2 });
  const variables = { id: projectId };
  const body = JSON.stringify({ query: print(DashboardDocument), variables });

  const { result, statements } = await recordSql(() => gqlOk(target, DashboardDocument, variables, owner.token));
  if (result.project?.workItems.edges.length !== 20 || result.project.features.edges.length !== 50) throw new Error('Dashboard answer is incomplete');
  console.log(`The dashboard query issues ${statements.length} SQL statements:\n${statements.map((s) => `  ${statementShape(s.text)}`).join('\n')}`);

  baseline = await startBaseline(databaseUrl, statements);
  const check = await fetch(`${baseline.url}/graphql`, { method: 'POST', body });
  if (!check.ok) throw new Error(`Baseline failed: ${await check.text()}`);

  console.log(`Load: ${CONNECTIONS} connections, ${DURATION}s per measurement, ${ROUNDS} round(s), NODE_ENV=${process.env.NODE_ENV ?? ''}`);
  await load(api.url, body, owner.token, { amount: WARMUP_REQUESTS });
  await load(baseline.url, body, owner.token, { amount: WARMUP_REQUESTS });
  const rates = { api: [] as number[], baseline: [] as number[] };
  const busy = { api: [] as number[], baseline: [] as number[] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, url] of [['api', api.url], ['baseline', baseline.url]] as const) {
      const before = performance.eventLoopUtilization();
      const r = await load(url, body, owner.token, { duration: DURATION });
      const loop = performance.eventLoopUtilization(before);
      if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx responses, ${r.errors} errors`);
      rates[name].push(r.requests.average);
      busy[name].push(loop.active / r.requests.total);
      console.log(
        `  round ${round} ${name.padEnd(8)} ${r.requests.average.toFixed(0)} req/s (p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
          `busy ${(loop.active / r.requests.total).toFixed(2)} ms/req)`,
      );
    }
  }
  const ratio = mean(rates.api) / mean(rates.baseline);
  console.log(`Shipyard API (Yoga + Pothos + Prisma): ${mean(rates.api).toFixed(0)} req/s`);
  console.log(`node:http + pg, same SQL:             ${mean(rates.baseline).toFixed(0)} req/s`);
  console.log(`main-thread busy per request: api ${mean(busy.api).toFixed(2)} ms, baseline ${mean(busy.baseline).toFixed(2)} ms`);
  console.log(`ratio api/baseline: ${ratio.toFixed(2)} (goal >= 0.5) ${ratio >= 0.5 ? 'MET' : 'NOT MET'}`);
} finally {
  if (baseline) {
    await new Promise((resolve) => baseline!.server.close(resolve));
    await baseline.pool.end();
  }
  await stopApi?.();
  await admin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  await rm(generations, { recursive: true, force: true });
}
process.exit(0);

// `shipyard run tail` outlives its server: the API process is stopped mid-run and started again; the CLI reconnects
// with the last seq it saw and prints every event exactly once, in order, ending with the run's result.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/postgres.js';
import { freePort, startApiProcess, until, type Proc } from './helpers/processes.js';
import { signUp } from './helpers/api.js';
import { rest } from './helpers/rest.js';
import { rawId } from './helpers/global-id.js';
import { startCli } from './helpers/cli.js';
import { connectDb, disconnectDb, getDb } from '../src/db/client.js';
import { connectRedis } from '../src/redis.js';
import { createRunEventSink } from '../src/events/sink.js';

const generations = mkdtempSync(join(tmpdir(), 'shipyard-generations-'));
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let redis: Redis;
let api: (Proc & { url: string }) | undefined;
let port: number;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  connectDb(database.url);
  redis = await connectRedis();
  port = await freePort();
  env = { DATABASE_URL: database.url, SHIPYARD_QUEUE: `shipyard-test-cli-reconnect-${randomBytes(4).toString('hex')}`, GENERATIONS_DIR: generations };
  api = await startApiProcess(env, port);
}, 60_000);

afterAll(async () => {
  await api?.stop('SIGKILL');
  redis?.disconnect();
  await disconnectDb();
  await database?.drop();
  rmSync(generations, { recursive: true, force: true });
});

it('reconnects after the API restarts and prints every event once', async () => {
  const owner = await signUp(api!, 'owner');
  const project = (await rest(api!, 'POST', '/api/projects', { token: owner.token, body: { name: 'Restart' } })).body;
  const run = await getDb().agentRun.create({ data: { projectId: rawId(project.id), status: 'RUNNING' } });
  const sink = await createRunEventSink({ db: getDb(), redis, runId: run.id, projectId: run.projectId });
  const text = (n: number) => sink.emit({ type: 'TEXT', payload: { text: `line ${n}` } });

  const tail = startCli(['run', 'tail', run.id, '--json'], { SHIPYARD_URL: api!.url, SHIPYARD_TOKEN: owner.token, XDG_CONFIG_HOME: generations });
  const lines = () => tail.stdout().trim().split('\n').filter(Boolean);
  for (let n = 1; n <= 3; n++) text(n);
  await sink.flush();
  await until(() => lines().length >= 3, 30_000, 'three events');

  expect(await api!.stop('SIGTERM')).toBe(0);
  for (let n = 4; n <= 6; n++) text(n); // stored while no API runs
  await sink.flush();
  api = await startApiProcess(env, port);
  await until(() => lines().length >= 6, 30_000, 'the events stored while the API was down');
  text(7);
  sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: 'all_features_passing' } });
  await sink.close();

  const result = await tail.result;
  expect(result.code, result.stderr).toBe(0);
  const events = lines().map((l) => JSON.parse(l));
  expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(events.at(-1)).toMatchObject({ type: 'COMPLETE', payload: { status: 'SUCCEEDED' } });
}, 120_000);

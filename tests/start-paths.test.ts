// Every start path on a brand-new database, through the real entry points as processes: `npm start` (API + worker
// children) on an empty database and again on the now existing one, `npm run worker` alone before `npm run api`,
// and `npm start` exiting non-zero, naming the process, when a child dies.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createEmptyDatabase } from './helpers/postgres.js';
import { freePort, startScript, until, type Proc } from './helpers/processes.js';
import { gqlOk } from './helpers/api.js';
import { CreateProjectDocument, ProjectsDocument, SignUpDocument } from './generated/graphql.js';
import { useCleanups } from './helpers/cleanups.js';

const defer = useCleanups();

async function emptyDatabase(): Promise<string> {
  const database = await createEmptyDatabase('start');
  defer(database.drop);
  return database.url;
}

async function baseEnv(): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'shipyard-start-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  return {
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    REDIS_URL: 'redis://127.0.0.1:6379',
    SHIPYARD_QUEUE: `shipyard-test-start-${randomBytes(4).toString('hex')}`,
    GENERATIONS_DIR: join(dir, 'generations'),
    SHIPYARD_DATA_DIR: join(dir, 'data'),
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
    SHIPYARD_MIGRATE_ON_START: 'true',
  };
}

function tracked(proc: Proc): Proc {
  defer(() => proc.stop('SIGKILL'));
  return proc;
}

const healthy = (port: number) => () => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);

async function startAll(env: Record<string, string>, port: number): Promise<Proc> {
  const proc = tracked(await startScript('scripts/start.ts', { ...env, PORT: String(port) }, (out) => out.includes('worker ready'), 60_000));
  await until(healthy(port), 30_000, 'the API to answer');
  return proc;
}

async function useTheApi(port: number, email: string) {
  const api = { url: `http://127.0.0.1:${port}` };
  const signed = await gqlOk(api, SignUpDocument, { input: { email, password: 'correct horse battery', name: 'New' } });
  await gqlOk(api, CreateProjectDocument, { input: { name: `P ${email}` } }, signed.signUp.token);
  const projects = await gqlOk(api, ProjectsDocument, {}, signed.signUp.token);
  expect(projects.projects.edges).toHaveLength(1);
}

describe('start paths', () => {
  it('npm start on an empty database migrates once and serves; again on the existing one; a dead child fails it by name', async () => {
    const env = { ...(await baseEnv()), DATABASE_URL: await emptyDatabase() };
    const port = await freePort();
    const first = await startAll(env, port);
    await useTheApi(port, 'first@example.com');
    expect(first.output()).not.toMatch(/does not exist|Error:/);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startAll(env, port);
    await useTheApi(port, 'second@example.com');
    const { stdout } = await promisify(execFile)('pgrep', ['-P', String(second.child.pid), '-f', 'worker/index.ts']);
    process.kill(Number(stdout.trim()), 'SIGKILL');
    const code = await second.exited;
    expect(code).not.toBe(0);
    expect(second.output()).toContain('npm start: the worker process was killed by SIGKILL unexpectedly');
    expect(await healthy(port)()).toBe(false);
  }, 150_000);

  it('npm run worker alone on an empty database migrates and waits for runs; npm run api then comes up on it', async () => {
    const env = { ...(await baseEnv()), DATABASE_URL: await emptyDatabase() };
    const worker = tracked(await startScript('worker/index.ts', env, (out) => out.includes('worker ready'), 60_000));
    expect(worker.output()).toMatch(/applied migrations/);
    const port = await freePort();
    tracked(await startScript('src/server.ts', { ...env, PORT: String(port) }, (out) => out.includes('Shipyard API on'), 60_000));
    await useTheApi(port, 'worker-first@example.com');
    expect(worker.child.exitCode).toBeNull();
  }, 120_000);
});

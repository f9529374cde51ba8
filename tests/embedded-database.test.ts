// With DATABASE_URL unset the API runs on an embedded Postgres (PGlite) under SHIPYARD_DATA_DIR, migrated on start.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { freePort } from './helpers/processes.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/db/database-url.js';
import { applyMigrations } from '../src/db/migrations.js';
import { createPrismaClient, pgPool } from '../src/db/client.js';
import { gqlOk } from './helpers/api.js';
import { CreateProjectDocument, ProjectSummaryDocument, SignUpDocument } from './generated/graphql.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shipyard-embedded-'));
  dirs.push(dir);
  return dir;
};
let child: ChildProcess | undefined;
afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});


async function waitForHealth(url: string, output: () => string, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child?.exitCode != null) throw new Error(`API exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`API did not become healthy:\n${output()}`);
}

describe('embedded Postgres (PGlite)', () => {
  it('migrates and answers queries through the ordinary Prisma client with one connection', async () => {
    const dataDir = join(await tempDir(), 'pglite');
    const database = await startEmbeddedPostgres(dataDir);
    try {
      expect(database).toMatchObject({ embedded: true, poolMax: 1 });
      const applied = await applyMigrations(database.url);
      expect(applied.length).toBeGreaterThan(0);
      const db = createPrismaClient(database.url, database.poolMax);
      try {
        const user = await db.user.create({ data: { email: 'pg@lite.test', name: 'Lite', passwordHash: 'x' } });
        const [found, migrations] = await Promise.all([
          db.user.findUniqueOrThrow({ where: { email: 'pg@lite.test' } }),
          db.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`,
        ]);
        expect(found.id).toBe(user.id);
        expect(migrations[0].n).toBe(applied.length);
      } finally {
        await db.$disconnect();
      }
    } finally {
      await database.close();
    }
    expect(existsSync(dataDir)).toBe(true);
  }, 60_000);

  it('survives a reconnect to its single session: named prepared statements of the old connection do not collide', async () => {
    const database = await startEmbeddedPostgres(join(await tempDir(), 'pglite'));
    try {
      await applyMigrations(database.url);
      const db = createPrismaClient(database.url, database.poolMax, { singleSession: true });
      try {
        const pool = pgPool(db);
        expect(pool.options.idleTimeoutMillis).toBe(0);
        const named = () => pool.query({ name: 'shipyard_test_named', text: 'SELECT count(*)::int AS n FROM "User" WHERE email = $1', values: ['x@y.z'] });
        await named();
        // What an idle timeout or a dropped socket does: the pool's connection ends and a new one opens on the same session.
        const connection = await pool.connect();
        connection.release(true);
        expect((await named()).rows).toEqual([{ n: 0 }]);
        expect(pool.totalCount).toBe(1);
      } finally {
        await db.$disconnect();
      }
    } finally {
      await database.close();
    }
  }, 60_000);

  it('`npm start` with DATABASE_URL unset serves the API and a worker, and still authenticates after idling past the pool timeout', async () => {
    const dataDir = await tempDir();
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, SHIPYARD_DATA_DIR: dataDir, GENERATIONS_DIR: join(dataDir, 'generations'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', SHIPYARD_QUEUE: `shipyard-test-embedded-${process.pid}` };
    delete env.DATABASE_URL;
    delete env.SHIPYARD_MIGRATE_ON_START;
    delete env.NODE_OPTIONS;
    let output = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: join(import.meta.dirname, '..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const api = { url: `http://127.0.0.1:${port}` };

    const health = await waitForHealth(api.url, () => output);
    expect(await health.json()).toEqual({ status: 'ok' });
    const signed = await gqlOk(api, SignUpDocument, { input: { email: 'embedded@example.com', password: 'correct horse battery', name: 'Em' } });
    const project = await gqlOk(api, CreateProjectDocument, { input: { name: 'Embedded' } }, signed.signUp.token);
    const read = await gqlOk(api, ProjectSummaryDocument, { id: project.createProject.id }, signed.signUp.token);
    expect(read.project).toMatchObject({ name: 'Embedded', viewerRole: 'OWNER' });
    expect(output).toMatch(/worker ready/);
    // pg's default idle timeout is 10 s: a pool that closed its idle connection would reconnect onto the same
    // PGlite session, where the named statements of the old connection still exist.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const again = await gqlOk(api, ProjectSummaryDocument, { id: project.createProject.id }, signed.signUp.token);
    expect(again.project).toMatchObject({ name: 'Embedded' });
    expect(output).not.toMatch(/already exists|INTERNAL_SERVER_ERROR/);
    expect(output).toMatch(/embedded Postgres/);
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
  }, 90_000);
});

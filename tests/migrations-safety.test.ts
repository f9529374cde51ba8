// Migrations at start: once under Prisma's advisory lock, each in a transaction, so a migrator killed half-way leaves
// nothing behind and the next start finishes; a failed row from an earlier (non-transactional) run is recovered.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '../src/db/migrations.js';
import { MigrationError, PRISMA_MIGRATE_LOCK } from '../src/db/apply-migrations.js';
import { createEmptyDatabase } from './helpers/postgres.js';
import { until } from './helpers/processes.js';
import { useCleanups } from './helpers/cleanups.js';

const defer = useCleanups();

async function freshDatabase(): Promise<string> {
  const database = await createEmptyDatabase('migsafe');
  defer(database.drop);
  return database.url;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  defer(() => client.end().catch(() => {}));
  return client;
}

async function migrationsFolder(migrations: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shipyard-migrations-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  for (const [name, sql] of Object.entries(migrations)) {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

const tables = async (client: pg.Client) =>
  (await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.tablename);

function migrator(url: string, dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/migrate-dir.ts', url, dir], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  defer(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, exited, output: () => output };
}

describe('migrations at start', () => {
  it('a migrator SIGKILLed half-way leaves nothing applied; the next run applies the migration whole', async () => {
    const url = await freshDatabase();
    const dir = await migrationsFolder({
      '001_first': 'CREATE TABLE "first_half" (id int);\n-- waits while the test holds advisory lock 4242\nSELECT pg_advisory_xact_lock(4242);\nCREATE TABLE "second_half" (id int);\n',
    });
    const holder = await connect(url);
    await holder.query('SELECT pg_advisory_lock(4242)');
    const first = migrator(url, dir);
    // The migrator is inside the migration (first table created, in its transaction) and blocked on 4242.
    await until(
      async () => (await holder.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted")).rowCount,
      20_000,
      'the migrator to wait inside the migration',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    await holder.query('SELECT pg_advisory_unlock(4242)');

    const check = await connect(url);
    expect(await tables(check)).toEqual(['_prisma_migrations']);
    expect((await check.query('SELECT count(*)::int AS n FROM "_prisma_migrations"')).rows[0].n).toBe(0);

    const second = migrator(url, dir);
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('APPLIED ["001_first"]');
    expect(await tables(check)).toEqual(['_prisma_migrations', 'first_half', 'second_half']);
    const rows = (await check.query('SELECT finished_at, rolled_back_at FROM "_prisma_migrations"')).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0].finished_at).toBeInstanceOf(Date);
  }, 60_000);

  it('runs under Prisma migrate lock: a second migrator waits for the first, then finds nothing to do', async () => {
    const url = await freshDatabase();
    const holder = await connect(url);
    await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    const waiting = applyMigrations(url);
    await until(
      async () => (await holder.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted", [PRISMA_MIGRATE_LOCK])).rowCount,
      10_000,
      'the migrator to wait for the lock',
    );
    expect(await tables(holder)).toEqual([]);
    await holder.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]);
    expect((await waiting).length).toBeGreaterThan(0);
    const [again] = await Promise.all([applyMigrations(url), applyMigrations(url)]);
    expect(again).toEqual([]);
  });

  it('recovers a failed migration (P3009) whose changes are absent, and says so; refuses one half applied', async () => {
    const url = await freshDatabase();
    const client = await connect(url);
    // What `prisma migrate deploy` leaves after a failure it could not roll back: a row with no finished_at.
    const dir = await migrationsFolder({ '001_a': 'CREATE TABLE "a" (id int);', '002_b': 'CREATE TABLE "b" (id int);\nCREATE TABLE "c" (id int);' });
    await applyMigrations(url, { dir: await migrationsFolder({ '001_a': 'CREATE TABLE "a" (id int);' }) });
    await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs) VALUES ('failed-b', 'x', '002_b', 'boom')`);
    const messages: string[] = [];
    expect(await applyMigrations(url, { dir, log: (m) => messages.push(m) })).toEqual(['002_b']);
    expect(messages.join('\n')).toMatch(/002_b had failed .*P3009.* marked it rolled back and applied it again/);
    const rows = (await client.query('SELECT id, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1 ORDER BY started_at', ['002_b'])).rows;
    expect(rows.find((r) => r.id === 'failed-b')?.rolled_back_at).toBeInstanceOf(Date);
    expect(rows.filter((r) => r.finished_at && !r.rolled_back_at)).toHaveLength(1);

    // Half applied (its first table exists): nothing is changed and the error says how to resolve it.
    await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('failed-d', 'x', '003_d')`);
    await client.query('CREATE TABLE "d" (id int)');
    const half = await migrationsFolder({ '001_a': 'CREATE TABLE "a" (id int);', '002_b': 'CREATE TABLE "b" (id int);\nCREATE TABLE "c" (id int);', '003_d': 'CREATE TABLE "d" (id int);' });
    const error = await applyMigrations(url, { dir: half }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/003_d failed earlier and part of it is still in the database.*migrate resolve --rolled-back 003_d/);
    expect((await client.query(`SELECT rolled_back_at FROM "_prisma_migrations" WHERE id = 'failed-d'`)).rows[0].rolled_back_at).toBeNull();
  });
});

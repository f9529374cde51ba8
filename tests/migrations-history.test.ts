// applyMigrations on an empty database writes the same _prisma_migrations rows as `prisma migrate deploy`.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, migrationsDir } from '../src/db/migrations.js';
import { adminQuery, databaseUrl } from './helpers/postgres.js';

const name = `shipyard_t_mig_${randomBytes(5).toString('hex')}`;
beforeAll(() => adminQuery(`CREATE DATABASE "${name}"`));
afterAll(() => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

async function query(sql: string) {
  const client = new pg.Client({ connectionString: databaseUrl(name) });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('applyMigrations', () => {
  it('applies every migration once, recording sha256 checksums, and is idempotent', async () => {
    const dirs = readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(dirs.length).toBeGreaterThan(0);
    expect(await applyMigrations(databaseUrl(name))).toEqual(dirs);

    const rows = await query('SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(dirs);
    for (const row of rows) {
      const sql = readFileSync(join(migrationsDir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const tables = (await query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((r) => r.tablename);
    expect(tables).toEqual(expect.arrayContaining(['User', 'Project', 'Feature', 'WorkItem', 'Agent', 'AgentRunEvent']));

    expect(await applyMigrations(databaseUrl(name))).toEqual([]);
    expect((await query('SELECT count(*)::int AS n FROM _prisma_migrations'))[0].n).toBe(dirs.length);
  });
});

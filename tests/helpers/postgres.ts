// Real Postgres for tests: one database per test file, cloned from a migrated template.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { migrationsDir } from '../../src/db/migrations.js';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The template's name changes whenever a migration does, so a stale template is never reused. */
export function templateName(): string {
  const hash = createHash('sha256');
  for (const dir of readdirSync(migrationsDir).filter((d) => !d.endsWith('.toml')).sort()) {
    hash.update(dir).update(readFileSync(join(migrationsDir, dir, 'migration.sql')));
  }
  return `shipyard_template_${hash.digest('hex').slice(0, 12)}`;
}

export const adminQuery = <T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []) => queryDatabase<T>(ADMIN_URL, sql, params);

/** One statement on its own connection. */
export async function queryDatabase<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<T>(sql, params);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database for one test file; returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `shipyard_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${templateName()}"`);
  return {
    name,
    url: databaseUrl(name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
  };
}

/** An empty, unmigrated database (for the migration and start-up tests); `label` goes into its name. */
export async function createEmptyDatabase(label: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `shipyard_t_${label}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  return { name, url: databaseUrl(name), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined) };
}

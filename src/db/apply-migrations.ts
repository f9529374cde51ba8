// Applies prisma/migrations the way `prisma migrate deploy` records them (_prisma_migrations), but safe to run from
// every process at start: under Prisma's own advisory lock (so a concurrent `prisma migrate` waits too), each
// migration in one transaction with its _prisma_migrations row (a kill half-way leaves nothing behind), and a failed
// row left by an earlier non-transactional run is retried when its changes turn out to be absent.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { poolConfigFromUrl } from './pool-config.js';

/** The key `prisma migrate` locks (pg_advisory_lock(72707369)). */
export const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface ApplyMigrationsOptions {
  /** The migrations folder (tests use their own). */
  dir: string;
  /** What was done beyond applying (a failed migration recovered). */
  log?: (message: string) => void;
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

async function readMigrations(dir: string): Promise<Migration[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

export class MigrationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** Applies every pending migration under the lock; returns the names applied now. */
export async function applyMigrationsLocked(databaseUrl: string, opts: ApplyMigrationsOptions): Promise<string[]> {
  const migrations = await readMigrations(opts.dir);
  const client = new pg.Client(poolConfigFromUrl(databaseUrl));
  await client.connect();
  try {
    // Session-level: released when this connection ends, also when the process is killed.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{ id: string; migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      'SELECT id, migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const applied = new Set(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name));
    const failed = new Map(rows.filter((r) => !r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r.id]));
    const done: string[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.name)) continue;
      const failedId = failed.get(migration.name);
      await client.query('BEGIN');
      try {
        if (failedId) await client.query('UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE id = $1', [failedId]);
        const id = randomUUID();
        await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [id, migration.checksum, migration.name]);
        await client.query(migration.sql);
        await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        const reason = (error as Error).message;
        throw new MigrationError(
          failedId
            ? `Migration ${migration.name} failed earlier and part of it is still in the database, so it cannot be re-applied (${reason}). ` +
                `Undo what it created, then mark it rolled back (\`npx prisma migrate resolve --rolled-back ${migration.name}\`) and start again.`
            : `Migration ${migration.name} failed and was rolled back, nothing of it was kept: ${reason}`,
          { cause: error },
        );
      }
      if (failedId) {
        opts.log?.(`Migration ${migration.name} had failed in an earlier attempt (P3009) and none of its changes were in the database: marked it rolled back and applied it again.`);
      }
      done.push(migration.name);
    }
    return done;
  } finally {
    await client.end().catch(() => {});
  }
}

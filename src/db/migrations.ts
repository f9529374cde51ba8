// Applies prisma/migrations (apply-migrations.ts: the same _prisma_migrations rows as `prisma migrate deploy`) and diffs
// them against schema.prisma through Prisma's schema engine.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { withSchemaEngine } from './schema-engine.js';
import { applyMigrationsLocked, type ApplyMigrationsOptions } from './apply-migrations.js';

const prismaDir = fileURLToPath(new URL('../../prisma/', import.meta.url));
export const migrationsDir = join(prismaDir, 'migrations');
const schemaPath = join(prismaDir, 'schema.prisma');

async function readMigrationList(baseDir = migrationsDir): Promise<MigrationList> {
  const lockPath = join(baseDir, 'migration_lock.toml');
  const entries = existsSync(baseDir) ? await readdir(baseDir, { withFileTypes: true }) : [];
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return {
    baseDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      dirs.map(async (dir) => ({
        path: dir,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok' as const, value: await readFile(join(baseDir, dir, 'migration.sql'), 'utf8') },
        },
      })),
    ),
  };
}

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * Applies every pending migration (once, under Prisma's migrate lock: a process that comes second waits, then finds
 * nothing to do); returns the names applied now. See apply-migrations.ts.
 */
export async function applyMigrations(databaseUrl: string, opts: Partial<ApplyMigrationsOptions> = {}): Promise<string[]> {
  return applyMigrationsLocked(databaseUrl, { dir: migrationsDir, ...opts });
}

/**
 * SQL that takes a database built from the committed migrations to schema.prisma ('' when they agree).
 * The engine replays the migrations in a throwaway shadow database on the same server.
 */
export async function diffMigrationsToSchema(databaseUrl: string): Promise<string> {
  const migrationsList = await readMigrationList();
  const schema = await readFile(schemaPath, 'utf8');
  return withSchemaEngine(databaseUrl, async (engine) => {
    const out = await engine.diff({
      from: { tag: 'migrations', ...migrationsList },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    } as Parameters<typeof engine.diff>[0]);
    return normalizeEmptyScript(out.stdout ?? '');
  });
}

function normalizeEmptyScript(script: string): string {
  return script.replace(/^-- This is an empty migration\.\s*$/m, '').trim();
}

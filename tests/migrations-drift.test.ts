// The committed migrations build exactly the schema.prisma model: the schema engine finds nothing to add.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffMigrationsToSchema } from '../src/db/migrations.js';
import { adminQuery, createTestDatabase } from './helpers/postgres.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

describe('migrations', () => {
  it('have no drift from schema.prisma (replayed in a throwaway shadow database)', async () => {
    const before = await adminQuery<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_shadow_%'");
    const drift = await diffMigrationsToSchema(database.url);
    expect(drift, `schema.prisma differs from prisma/migrations; run npm run db:diff -- <name>:\n${drift}`).toBe('');
    // The shadow database is cleaned up.
    const after = await adminQuery<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_shadow_%'");
    expect(after.rows.length).toBeLessThanOrEqual(before.rows.length);
  });
});

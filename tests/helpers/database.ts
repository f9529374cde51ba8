// Registers a test file's (or describe block's) hooks for a fresh database cloned from the migrated template and a
// Prisma client on it, for tests below the API. Filled in by beforeAll.
import { afterAll, beforeAll } from 'vitest';
import { createPrismaClient } from '../../src/db/client.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { createTestDatabase } from './postgres.js';

export interface TestDatabase {
  url: string;
  db: PrismaClient;
}

export function useTestDatabase(): TestDatabase {
  const state = {} as TestDatabase;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    Object.assign(state, { url: database.url, db: createPrismaClient(database.url) });
  });
  afterAll(async () => {
    await state.db?.$disconnect();
    await drop?.();
  });
  return state;
}

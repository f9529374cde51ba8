// One PrismaClient per process, over adapter-pg. Connected lazily so a process can choose its database first.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { logger } from '../logger.js';
import { poolConfigFromUrl } from './pool-config.js';
import { retryingAdapter } from './retrying-adapter.js';

export type Db = PrismaClient;

const pools = new WeakMap<PrismaClient, pg.Pool>();

export interface DbOptions {
  /**
   * Worker processes: statements that certainly never ran (Postgres unreachable or restarting) are retried with
   * bounded backoff for up to this long, instead of failing whatever called them.
   */
  retryUnreachableMs?: number;
}

export function createPrismaClient(databaseUrl: string, poolMax?: number, opts: DbOptions = {}): PrismaClient {
  const pool = new pg.Pool(poolConfigFromUrl(databaseUrl, poolMax));
  // An idle connection that dies is replaced on next use; an administrator's termination (57P01: restart, drop) is routine.
  pool.on('error', (error: Error & { code?: string }) =>
    logger[error.code === '57P01' ? 'debug' : 'warn']({ code: error.code, message: error.message }, 'idle Postgres connection failed'));
  const base = new PrismaPg(pool, { disposeExternalPool: true });
  const adapter = opts.retryUnreachableMs ? retryingAdapter(base, opts.retryUnreachableMs) : base;
  const client = new PrismaClient({ adapter });
  pools.set(client, pool);
  return client;
}

/**
 * The pg pool under a client (the same connections). Statements on hot paths — event inserts, usage updates — go
 * straight to it: a raw statement through Prisma costs about 0.4 ms more CPU than through pg (measured), which a
 * worker running many agents pays on every turn. It is ended with the client ($disconnect).
 */
export function pgPool(db: PrismaClient): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('This PrismaClient was not made by createPrismaClient().');
  return pool;
}

const TIMESTAMP_OID = 1114;
/**
 * For pg queries that return DateTime columns: Prisma stores them in `timestamp` columns as UTC, which pg would
 * otherwise read in the process's local time zone.
 */
export const prismaTimestamps: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID ? (value: string) => new Date(`${value.replace(' ', 'T')}Z`) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

let client: PrismaClient | undefined;

export function connectDb(databaseUrl: string, poolMax?: number, opts: DbOptions = {}): PrismaClient {
  client = createPrismaClient(databaseUrl, poolMax, opts);
  return client;
}

export function getDb(): PrismaClient {
  if (!client) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('No database: call connectDb() or set DATABASE_URL');
    client = createPrismaClient(url);
  }
  return client;
}

export async function disconnectDb(): Promise<void> {
  const current = client;
  client = undefined;
  await current?.$disconnect();
}

// One PrismaClient per process, over adapter-pg. Connected lazily so a process can choose its database first.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { logger } from '../logger.js';
import { config } from '../config/index.js';
import { poolConfigFromUrl } from './pool-config.js';
import { retryingAdapter } from './retrying-adapter.js';

const pools = new WeakMap<PrismaClient, pg.Pool>();

export interface PoolOptions {
  /**
   * The server has one session under every connection (the embedded PGlite): one connection that never idles out,
   * and each new connection first clears what an earlier one left in the session (prepared statements, settings,
   * an open transaction), or its named statements would collide with the earlier connection's ("already exists").
   */
  singleSession?: boolean;
  /**
   * Worker processes: statements that certainly never ran (Postgres unreachable or restarting) are retried with
   * bounded backoff for up to this long, instead of failing whatever called them.
   */
  retryUnreachableMs?: number;
}

/** Runs before a new connection is handed out. DISCARD ALL refuses to run inside a transaction, hence the ROLLBACK. */
async function resetSession(connection: pg.ClientBase): Promise<void> {
  await connection.query('ROLLBACK');
  await connection.query('DISCARD ALL');
}

export function createPrismaClient(databaseUrl: string, poolMax?: number, opts: PoolOptions = {}): PrismaClient {
  const config = poolConfigFromUrl(databaseUrl, opts.singleSession ? 1 : poolMax);
  const pool = new pg.Pool(opts.singleSession ? { ...config, idleTimeoutMillis: 0, onConnect: resetSession } : config);
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
 * straight to it: a raw statement through Prisma costs more CPU than through pg (Prisma's driver adapter and result
 * mapping on top of pg's), which a worker running many agents pays on every turn. It is ended with the client
 * ($disconnect).
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

export function connectDb(databaseUrl: string, poolMax?: number, opts: PoolOptions = {}): PrismaClient {
  client = createPrismaClient(databaseUrl, poolMax, opts);
  return client;
}

export function getDb(): PrismaClient {
  if (!client) {
    const url = config().databaseUrl;
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

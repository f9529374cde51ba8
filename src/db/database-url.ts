// DATABASE_URL when set; otherwise an embedded Postgres (PGlite) under .data/, served on a loopback socket so the
// ordinary adapter-pg path works unchanged.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { config } from '../config/index.js';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  /** Pool size the callers should use: PGlite has one session, so several connections would interleave transactions. */
  poolMax: number | undefined;
  close: () => Promise<void>;
}

export async function resolveDatabaseUrl(opts: { embeddedAllowed?: boolean } = {}): Promise<ResolvedDatabase> {
  const fromEnv = config().databaseUrl;
  if (fromEnv) return { url: fromEnv, embedded: false, poolMax: undefined, close: async () => {} };
  if (opts.embeddedAllowed === false) {
    throw new Error('DATABASE_URL is not set; this command needs a PostgreSQL server (e.g. postgresql://postgres@127.0.0.1:5432/shipyard).');
  }
  return startEmbeddedPostgres(resolve(config().dataDir, 'pglite'));
}

export async function startEmbeddedPostgres(dataDir: string): Promise<ResolvedDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgresql://postgres:postgres@${address}/postgres`,
    embedded: true,
    poolMax: 1,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

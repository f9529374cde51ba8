// GET /ready: whether this API process can serve (Postgres and Redis answer), and how many workers are live.
import type { ServerResponse } from 'node:http';
import type { PrismaClient } from '../generated/prisma/client.js';
import { pingDatabase } from '../db/sql/health.js';

export interface ReadinessOptions {
  db: PrismaClient;
  /** Extra checks (e.g. Redis), each throwing when not ready. */
  checks: Array<() => Promise<void>>;
  /** Live workers of this instance's queue (`?require=worker` makes none a 503). */
  liveWorkers?: () => Promise<number>;
}

/**
 * Postgres and Redis answer. With no live worker the API is still ready (it serves everything but running runs, and
 * `npm start` brings it up before its worker): the body says `workers: 0`, and `?require=worker` turns that into a 503.
 */
export async function ready(res: ServerResponse, { db, checks, liveWorkers }: ReadinessOptions, requireWorker: boolean): Promise<void> {
  const json = (status: number, body: object) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  try {
    await pingDatabase(db);
    for (const check of checks) await check();
    const workers = liveWorkers ? await liveWorkers() : undefined;
    if (requireWorker && !workers) return json(503, { status: 'not ready', reason: 'no live worker', workers: workers ?? 0 });
    return json(200, workers === undefined ? { status: 'ready' } : { status: 'ready', workers });
  } catch (error) {
    return json(503, { status: 'not ready', reason: (error as Error).message });
  }
}

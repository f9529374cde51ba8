// Worker process entry (npm run worker): a BullMQ worker running agent runs; WORKER_CONCURRENCY runs at a time.
import { connectDb, disconnectDb } from '../src/db/client.js';
import { dbRetryLimitMs } from '../src/db/transient.js';
import { resolveDatabaseUrl } from '../src/db/database-url.js';
import { logger } from '../src/logger.js';
import { RedisUnavailableError } from '../src/redis.js';
import type { RunAgent } from './agent/contract.js';
import { startWorker } from './start-worker.js';
import { exitOnSignals } from './signals.js';

async function loadRunAgent(): Promise<RunAgent> {
  const module = (await import('./agent/run-agent.js')) as { runAgent: RunAgent };
  return module.runAgent;
}

try {
  // A separate worker process needs a real Postgres server (the embedded one is private to `npm start`).
  const database = await resolveDatabaseUrl({ embeddedAllowed: false });
  connectDb(database.url, undefined, { retryUnreachableMs: dbRetryLimitMs() });
  const worker = await startWorker({ runAgent: await loadRunAgent() });
  exitOnSignals(async (force) => {
    await worker.close({ force });
    await disconnectDb();
  });
} catch (error) {
  // Plain text for the errors a newcomer meets first (no Redis, no DATABASE_URL); a log line for the rest.
  if (error instanceof RedisUnavailableError || /DATABASE_URL/.test((error as Error).message)) console.error((error as Error).message);
  else logger.fatal({ err: error }, (error as Error).message);
  process.exit(1);
}

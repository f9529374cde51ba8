// Worker process entry (npm run worker): a BullMQ worker running agent runs; WORKER_CONCURRENCY runs at a time.
import { loadConfigOrExit } from '../src/config/index.js';
import type { RunAgent } from './agent/contract.js';

// The configuration is checked before any other module loads (some read it when they load).
loadConfigOrExit();
const { connectDb, disconnectDb } = await import('../src/db/client.js');
const { resolveDatabaseUrl } = await import('../src/db/database-url.js');
const { logger } = await import('../src/logger.js');
const { RedisUnavailableError } = await import('../src/redis.js');
const { startWorker } = await import('./start-worker.js');
const { exitOnSignals } = await import('./signals.js');

async function loadRunAgent(): Promise<RunAgent> {
  const module = (await import('./agent/run-agent.js')) as { runAgent: RunAgent };
  return module.runAgent;
}

try {
  // A separate worker process needs a real Postgres server (the embedded one is private to `npm start`).
  const database = await resolveDatabaseUrl({ embeddedAllowed: false });
  connectDb(database.url);
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

// Worker process entry (npm run worker): a BullMQ worker running agent runs; WORKER_CONCURRENCY runs at a time.
import { loadConfigOrExit } from '../src/config/index.js';
import type { AgentRuntime } from './agent/contract.js';

// The configuration is checked before any other module loads (some read it when they load).
const config = loadConfigOrExit();
const { connectDb, disconnectDb } = await import('../src/db/client.js');
const { resolveDatabaseUrl } = await import('../src/db/database-url.js');
const { applyMigrations } = await import('../src/db/migrations.js');
const { logger } = await import('../src/logger.js');
const { RedisUnavailableError } = await import('../src/redis.js');
const { MigrationError } = await import('../src/db/apply-migrations.js');
const { startWorker } = await import('./start-worker.js');
const { exitOnSignals } = await import('./signals.js');

async function loadAgentRuntime(): Promise<AgentRuntime> {
  const module = (await import('./agent/runtime.js')) as { agentRuntime: AgentRuntime };
  return module.agentRuntime;
}

try {
  // A separate worker process needs a real Postgres server (the embedded one is private to `npm start`).
  const database = await resolveDatabaseUrl({ embeddedAllowed: false });
  if (config.migrateOnStart) {
    // Before any table is read: applied here under the migrate lock, or found done by the API that held the lock first.
    const applied = await applyMigrations(database.url, { log: (message) => logger.warn(message) });
    if (applied.length) logger.info({ applied }, 'applied migrations');
  }
  connectDb(database.url, undefined, { retryUnreachableMs: config.worker.dbRetryLimitMs });
  const worker = await startWorker({ agentRuntime: await loadAgentRuntime(), metricsPort: config.operations.metricsPort });
  exitOnSignals(async (force) => {
    await worker.close({ force });
    await disconnectDb();
  });
} catch (error) {
  // Plain text for the errors a newcomer meets first (no Redis, no DATABASE_URL); a log line for the rest.
  if (error instanceof RedisUnavailableError || error instanceof MigrationError || /DATABASE_URL/.test((error as Error).message)) console.error((error as Error).message);
  else logger.fatal({ err: error }, (error as Error).message);
  process.exit(1);
}

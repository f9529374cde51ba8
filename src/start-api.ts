import { resolveDatabaseUrl, type ResolvedDatabase } from './db/database-url.js';
import { applyMigrations } from './db/migrations.js';
import { connectDb, disconnectDb, getDb } from './db/client.js';
import { createRegistry, registerQueueGauges, registerRunGauges, registerSubscriptionGauge } from './metrics/run-metrics.js';
import { liveWorkerCount } from './queue/worker-liveness.js';
import { watchForMissingWorkers } from './runs/no-worker-notice.js';
import { createApp, type App } from './transport/app.js';
import { resolveQueueName } from './queue/queue-name.js';
import { createServices, type ClosableServices } from './services.js';
import { config as processConfig, type Config } from './config/index.js';
import { logger } from './logger.js';
import type { Server } from 'node:http';

export interface StartedApi {
  server: Server;
  url: string;
  database: ResolvedDatabase;
  services: ClosableServices;
  /** Results pushed to subscribers so far, per transport. */
  livePushed: App['livePushed'];
  stop: () => Promise<void>;
}

/** Connects the database (embedded when DATABASE_URL is unset), applies pending migrations and listens on PORT. */
export async function startApi(opts: { port?: number; database?: ResolvedDatabase; config?: Config } = {}): Promise<StartedApi> {
  const config = opts.config ?? processConfig();
  const database = opts.database ?? (await resolveDatabaseUrl());
  if (database.embedded) logger.info('DATABASE_URL is not set: using the embedded Postgres (PGlite) in .data/');
  if (config.migrateOnStart) {
    const applied = await applyMigrations(database.url, { log: (message) => logger.warn(message) });
    if (applied.length) logger.info({ applied }, 'applied migrations');
  }
  connectDb(database.url, database.poolMax, { singleSession: database.embedded });
  // Without Redis there is no queue and no live events; the error names the fixes.
  const queueName = await resolveQueueName(getDb(), config.queueName);
  const services = await createServices({ db: getDb(), generationsDir: config.generationsDir, redisUrl: config.redisUrl, queueName, accounts: config.accounts });
  const metrics = createRegistry('api');
  registerQueueGauges(metrics, { queue: services.runQueue.queue, redis: services.redis });
  registerRunGauges(metrics, getDb);
  registerSubscriptionGauge(metrics, services.subscriptions);
  const { server, closeWebSockets, livePushed } = createApp({
    services,
    writeWindowMs: config.events.sseFlushMs,
    metrics,
    requestTimeoutMs: config.operations.requestTimeoutMs,
    adminEmails: config.accounts.adminEmails,
    readinessChecks: [async () => void (await services.redis.ping())],
    liveWorkers: () => liveWorkerCount(services.redis, services.runQueue.name),
  });
  const stopNoWorkerWatch = watchForMissingWorkers({
    db: getDb(),
    redis: services.redis,
    queueName: services.runQueue.name,
    intervalMs: config.operations.noWorkerCheckMs,
  });
  const port = opts.port ?? config.port;
  await new Promise<void>((resolve) => server.listen(port, config.host, resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  logger.info(`Shipyard API on ${url}/graphql`);
  const stop = async () => {
    const began = performance.now();
    const steps: Record<string, number> = {};
    const step = async (name: string, run: () => Promise<void> | void) => {
      const t = performance.now();
      await run();
      steps[name] = Math.round(performance.now() - t);
    };
    stopNoWorkerWatch();
    // WebSockets first (1001): an upgraded socket would otherwise keep server.close() waiting.
    await step('webSockets', closeWebSockets);
    await step('http', () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    );
    // Redis and Postgres are independent: close them together.
    await step('connections', async () => {
      await Promise.all([services.close(), disconnectDb()]);
    });
    if (!opts.database) await step('database', () => database.close());
    logger.info({ ...steps, totalMs: Math.round(performance.now() - began) }, 'API stopped');
  };
  return { server, url, database, services, livePushed, stop };
}

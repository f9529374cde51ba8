// Starts a BullMQ worker for agent runs: processor, stop relay, orphan reaper, graceful drain.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { getDb } from '../src/db/client.js';
import { connectRedis, redisUrl } from '../src/redis.js';
import type { RunJobData } from '../src/queue/names.js';
import { resolveQueueName } from '../src/queue/queue-name.js';
import { workerTimings } from '../src/queue/settings.js';
import { createRunQueue } from '../src/queue/run-queue.js';
import { logger } from '../src/logger.js';
import { hasModelCredentials, MISSING_CREDENTIALS } from './agent/model-client.js';
import { config } from '../src/config/index.js';
import type { AgentRuntime } from './agent/contract.js';
import { createRunProcessor, type RunJobResult } from './processor.js';
import { SHUTDOWN } from './abort-reasons.js';
import { listenForCancels } from './cancel-listener.js';
import { reapOrphans } from '../src/runs/reap.js';
import { ActiveRuns } from './active-runs.js';
import { sandboxProvider } from './sandbox/provider.js';
import { startHeartbeat } from '../src/queue/worker-liveness.js';
import type { Registry } from 'prom-client';
import { createRegistry, createRunMetrics, registerQueueGauges } from '../src/metrics/run-metrics.js';
import { startMetricsServer } from '../src/metrics/serve.js';

export interface StartWorkerOptions {
  agentRuntime: AgentRuntime;
  concurrency?: number;
  queueName?: string;
  redisUrl?: string;
  /** Defaults to the process's client (getDb()). */
  db?: PrismaClient;
  workerId?: string;
  /** On close, how long active runs may go on before they are checkpointed (INTERRUPTED, resumed elsewhere). */
  drainTimeoutMs?: number;
  reapIntervalMs?: number;
  /** Serve /metrics on this port (0: any free port); undefined: no metrics endpoint. */
  metricsPort?: number;
}

export interface StartedWorker {
  id: string;
  worker: Worker<RunJobData, RunJobResult>;
  metrics: Registry;
  /** Where /metrics answers, when it listens. */
  metricsUrl: string | null;
  /** Graceful: take no new runs, let active ones finish for drainTimeoutMs, then checkpoint them. force: checkpoint now. */
  close(opts?: { force?: boolean }): Promise<void>;
}

export async function startWorker(opts: StartWorkerOptions): Promise<StartedWorker> {
  const db = opts.db ?? getDb();
  const url = opts.redisUrl ?? redisUrl();
  const queueName = opts.queueName ?? (await resolveQueueName(db, config().queueName));
  const id = opts.workerId ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const concurrency = opts.concurrency ?? config().worker.concurrency;
  const drainTimeoutMs = opts.drainTimeoutMs ?? config().worker.drainTimeoutMs;
  const log = logger.child({ component: 'worker', workerId: id });

  const connection: Redis = await connectRedis(url, { worker: true, connectionName: `shipyard-worker-${id}` });
  const subscriber = connection.duplicate({ connectionName: `shipyard-worker-cancel-${id}` });
  const runQueue = createRunQueue({ connection, name: queueName });
  const activeRuns = new ActiveRuns();

  const metrics = createRegistry('worker');
  const runMetrics = createRunMetrics(metrics);
  registerQueueGauges(metrics, { queue: runQueue.queue, redis: connection });
  const worker = new Worker<RunJobData, RunJobResult>(
    queueName,
    createRunProcessor({ db, redis: connection, agentRuntime: opts.agentRuntime, workerId: id, activeRuns, metrics: runMetrics, runQueue }),
    { connection, concurrency, autorun: false, ...workerTimings() },
  );
  worker.on('error', (error) => log.error({ err: error }, 'worker error'));
  worker.on('failed', (job, error) => log.warn({ runId: job?.id, err: error }, 'run job failed'));
  const stopCancels = await listenForCancels(subscriber, activeRuns, queueName, id);

  const reap = () => reapOrphans({ db, redis: connection, runQueue, holder: `reaper-${id}` });
  await reap();
  let reaping = false;
  const reaper = setInterval(() => {
    if (reaping) return;
    reaping = true;
    void reap()
      .catch((error) => log.warn({ err: error }, 'reaper failed'))
      .finally(() => (reaping = false));
  }, opts.reapIntervalMs ?? config().worker.reapIntervalMs);
  reaper.unref();

  void worker.run().catch((error) => log.error({ err: error }, 'worker stopped'));
  await worker.waitUntilReady();
  const { workerHeartbeatMs, workerTtlMs } = config().operations;
  const heartbeat = await startHeartbeat(connection, queueName, id, { intervalMs: workerHeartbeatMs, ttlMs: workerTtlMs });
  const metricsServer = opts.metricsPort === undefined ? null : await startMetricsServer(metrics, opts.metricsPort);
  log.info({ queue: queueName, concurrency, metrics: metricsServer?.url ?? null }, 'worker ready');
  if (!hasModelCredentials()) log.error(MISSING_CREDENTIALS);
  const sandbox = sandboxProvider().availability();
  if (sandbox.kind === 'off') log.warn('SHIPYARD_SANDBOX=off: agents\' commands run UNSANDBOXED on this host, with access to everything this process can reach');
  else if (sandbox.kind === 'unavailable') log.error(`This worker refuses agent runs: ${sandbox.reason}`);
  else log.info({ processLimit: sandbox.processLimit }, 'agents\' commands run in bubblewrap session sandboxes');

  let closing: Promise<void> | undefined;
  let forceCheckpoint: (() => void) | undefined;
  const close = async ({ force = false } = {}): Promise<void> => {
    if (force) forceCheckpoint?.();
    if (closing) return closing;
    closing = (async () => {
      clearInterval(reaper);
      await heartbeat.stop(); // a draining worker takes no new runs: it no longer counts as live
      const drained = worker.close();
      // Active runs get drainTimeoutMs to finish; then (or at once when forced) they checkpoint: INTERRUPTED, job back to wait.
      await Promise.race([drained, new Promise<void>((resolve) => (forceCheckpoint = resolve)), delay(force ? 0 : drainTimeoutMs)]);
      worker.cancelAllJobs(SHUTDOWN);
      activeRuns.abortAll(SHUTDOWN);
      await drained;
      await stopCancels();
      await runQueue.close().catch(() => {});
      metricsServer?.server.close();
      connection.disconnect();
      log.info('worker closed');
    })();
    return closing;
  };
  return { id, worker, metrics, metricsUrl: metricsServer?.url ?? null, close };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

// Prometheus metrics of the platform (prom-client). Each process creates its own Registry and passes it around:
// nothing registers on prom-client's global default registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { liveWorkerCount } from '../queue/worker-liveness.js';
import { RUN_STATUSES } from '../events/types.js';

export function createRegistry(processName: 'api' | 'worker'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** What a worker counts while it runs runs. */
export interface RunMetrics {
  events: Counter<'type'>;
  runsFinished: Counter<'status'>;
  runDuration: Histogram<'status'>;
  sessionDuration: Histogram<'kind'>;
  tokens: Counter<'kind'>;
  costUsd: Counter;
  activeRuns: Gauge;
}

const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400];

export function createRunMetrics(registry: Registry): RunMetrics {
  const registers = [registry];
  return {
    events: new Counter({ name: 'shipyard_run_events_total', help: 'Run events emitted (rate() = events per second)', labelNames: ['type'], registers }),
    runsFinished: new Counter({ name: 'shipyard_runs_finished_total', help: 'Runs this process finished, by final status', labelNames: ['status'], registers }),
    runDuration: new Histogram({
      name: 'shipyard_run_duration_seconds',
      help: 'From a run starting on a worker to its final status',
      labelNames: ['status'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    sessionDuration: new Histogram({ name: 'shipyard_session_duration_seconds', help: 'Agent session durations', labelNames: ['kind'], buckets: DURATION_BUCKETS, registers }),
    tokens: new Counter({ name: 'shipyard_model_tokens_total', help: 'Model tokens used, by kind', labelNames: ['kind'], registers }),
    costUsd: new Counter({ name: 'shipyard_model_cost_usd_total', help: 'Model cost in USD', registers }),
    activeRuns: new Gauge({ name: 'shipyard_worker_active_runs', help: 'Runs this worker process is running now', registers }),
  };
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** Queue depth by state and live workers, read from Redis at each scrape. */
export function registerQueueGauges(registry: Registry, deps: { queue: Queue; redis: Redis }): void {
  new Gauge({
    name: 'shipyard_queue_jobs',
    help: 'Run jobs in the queue, by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const counts = await deps.queue.getJobCounts(...JOB_STATES);
      for (const state of JOB_STATES) this.set({ queue: deps.queue.name, state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'shipyard_workers',
    help: 'Workers of the queue with a live heartbeat',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.set({ queue: deps.queue.name }, await liveWorkerCount(deps.redis, deps.queue.name));
    },
  });
}

/** Runs by status across the platform (Postgres), read at each scrape: RUNNING is the active runs. */
export function registerRunGauges(registry: Registry, db: () => PrismaClient): void {
  new Gauge({
    name: 'shipyard_runs',
    help: 'Runs by current status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = await db().agentRun.groupBy({ by: ['status'], _count: { _all: true } });
      for (const status of RUN_STATUSES) this.set({ status }, rows.find((r) => r.status === status)?._count._all ?? 0);
    },
  });
}

/** Subscriptions open on this API process. */
export function registerSubscriptionGauge(registry: Registry, subscriptions: { readonly openCount: number }): void {
  new Gauge({
    name: 'shipyard_live_subscriptions',
    help: 'Subscriptions open on this API process',
    registers: [registry],
    collect() {
      this.set(subscriptions.openCount);
    },
  });
}

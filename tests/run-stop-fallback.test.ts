// The stop's fallback (src/runs/stop.ts): should the Redis relay never reach the worker holding a run, the holder
// notices the run's stopRequested flag at its next lease renewal and stops the run as if the relay had come.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/postgres.js';
import { createProjectRow, createRunRow } from './helpers/run-fixtures.js';
import { until } from './helpers/processes.js';
import { createPrismaClient } from '../src/db/client.js';
import { createRedis } from '../src/redis.js';
import { createRunQueue, type RunQueue } from '../src/queue/run-queue.js';
import { leaseMs } from '../src/runs/lease.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import type { AgentRuntime } from '../worker/agent/contract.js';
import { startWorker, type StartedWorker } from '../worker/start-worker.js';

/** Holds the run until its signal is aborted, like an agent blocked in a long command. */
const waitForAbort: AgentRuntime = ({ signal }) =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve({ status: 'CANCELLED', stopReason: 'stop_requested' }), { once: true }));

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: PrismaClient;
let redis: Redis;
let runQueue: RunQueue;
let worker: StartedWorker;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrismaClient(database.url);
  redis = createRedis();
  const queueName = `shipyard-test-stop-fallback-${randomBytes(4).toString('hex')}`;
  runQueue = createRunQueue({ connection: redis, name: queueName });
  worker = await startWorker({ agentRuntime: waitForAbort, queueName, db, workerId: 'fallback-worker', concurrency: 1, reapIntervalMs: 60_000, drainTimeoutMs: 500 });
}, 60_000);

afterAll(async () => {
  await worker?.close({ force: true });
  await runQueue?.queue.obliterate({ force: true }).catch(() => {});
  await runQueue?.close();
  redis?.disconnect();
  await db?.$disconnect();
  await database?.drop();
});

describe('stop fallback', () => {
  it('a stop whose relay never came is noticed at the next lease renewal: CANCELLED, with its events', async () => {
    const { project } = await createProjectRow(db);
    const run = await createRunRow(db, project.id);
    await runQueue.enqueue(run.id);
    await until(async () => (await db.agentRun.findUniqueOrThrow({ where: { id: run.id } })).status === 'RUNNING', 10_000, 'the run to start');

    // The flag alone, as stopAgentRun writes it before relaying: no message on the cancel channel.
    const stoppedAt = Date.now();
    await db.agentRun.update({ where: { id: run.id }, data: { stopRequested: true } });
    const done = await until(async () => {
      const row = await db.agentRun.findUniqueOrThrow({ where: { id: run.id } });
      return row.status === 'CANCELLED' ? row : undefined;
    }, 10_000, 'the run to be cancelled');
    // One renewal period (a quarter of the lease), plus the write.
    expect(Date.now() - stoppedAt).toBeLessThan(leaseMs() / 4 + 1000);
    expect(done.finishedAt).not.toBeNull();
    const events = await db.agentRunEvent.findMany({ where: { runId: run.id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'COMPLETE', payload: { status: 'CANCELLED' } });
  });
});

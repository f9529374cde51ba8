// A worker's job for a run, in-process with a stand-in agent runtime: the run row is read once per job (the snapshot
// the processor hands to the runtime), and the stop's fallback (src/runs/stop.ts): should the Redis relay never
// reach the worker holding a run, the holder notices stopRequested at its next lease renewal and stops the run.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from './helpers/database.js';
import { createProjectRow, createRunRow } from './helpers/run-fixtures.js';
import { until } from './helpers/processes.js';
import { recordSql } from './helpers/sql-recorder.js';
import { createRedis } from '../src/redis.js';
import { createRunQueue, type RunQueue } from '../src/queue/run-queue.js';
import { leaseMs } from '../src/runs/lease.js';
import type { AgentRuntime } from '../worker/agent/contract.js';
import { startWorker, type StartedWorker } from '../worker/start-worker.js';

/** Holds the run until its signal is aborted, like an agent blocked in a long command. */
const waitForAbort: AgentRuntime = ({ signal }) =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve({ status: 'CANCELLED', stopReason: 'stop_requested' }), { once: true }));
/** Finishes at once, having seen the run snapshot it was handed. */
const succeed: AgentRuntime = async ({ run }) => ({ status: 'SUCCEEDED', stopReason: run ? 'all_features_passing' : 'no_snapshot' });
let runtime: AgentRuntime = waitForAbort;

const database = useTestDatabase();
let redis: Redis;
let runQueue: RunQueue;
let worker: StartedWorker;

beforeAll(async () => {
  redis = createRedis();
  const queueName = `shipyard-test-stop-fallback-${randomBytes(4).toString('hex')}`;
  runQueue = createRunQueue({ connection: redis, name: queueName });
  worker = await startWorker({ agentRuntime: (ctx) => runtime(ctx), queueName, db: database.db, workerId: 'fallback-worker', concurrency: 1, reapIntervalMs: 60_000, drainTimeoutMs: 500 });
}, 60_000);

afterAll(async () => {
  await worker?.close({ force: true });
  await runQueue?.queue.obliterate({ force: true }).catch(() => {});
  await runQueue?.close();
  redis?.disconnect();
});

describe('a run job', () => {
  it('reads the run row once: the snapshot the processor decides from and hands to the runtime', async () => {
    runtime = succeed;
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id);
    const completed = new Promise<void>((resolve) => worker.worker.on('completed', (job) => job.data.runId === run.id && resolve()));
    const { statements } = await recordSql(async () => {
      await runQueue.enqueue(run.id);
      await completed;
    });
    const runReads = statements.filter((s) => /^\s*SELECT\b/i.test(s.text) && /FROM "public"\."AgentRun"/.test(s.text));
    expect(runReads.map((s) => s.text.slice(0, 120))).toHaveLength(1);
    expect(await database.db.agentRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: 'SUCCEEDED', stopReason: 'all_features_passing' });
  });

  it('a stop whose relay never came is noticed at the next lease renewal: CANCELLED, with its events', async () => {
    runtime = waitForAbort;
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id);
    await runQueue.enqueue(run.id);
    await until(async () => (await database.db.agentRun.findUniqueOrThrow({ where: { id: run.id } })).status === 'RUNNING', 10_000, 'the run to start');

    // The flag alone, as stopAgentRun writes it before relaying: no message on the cancel channel.
    const stoppedAt = Date.now();
    await database.db.agentRun.update({ where: { id: run.id }, data: { stopRequested: true } });
    const done = await until(async () => {
      const row = await database.db.agentRun.findUniqueOrThrow({ where: { id: run.id } });
      return row.status === 'CANCELLED' ? row : undefined;
    }, 10_000, 'the run to be cancelled');
    // About one renewal period (a quarter of the lease), well before the lease could expire; slack for a loaded machine.
    expect(Date.now() - stoppedAt).toBeLessThan(leaseMs() / 4 + 2500);
    expect(done.finishedAt).not.toBeNull();
    const events = await database.db.agentRunEvent.findMany({ where: { runId: run.id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'COMPLETE', payload: { status: 'CANCELLED' } });
  });
});

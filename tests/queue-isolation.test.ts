// Two Shipyards on one Redis: the default queue name comes from each database's instance id, so they never share a
// queue; and when they do share one (the same SHIPYARD_QUEUE), a worker that gets a job whose run is not in its
// database logs a warning and leaves the job for its owner, which then runs it.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrations.js';
import { resolveQueueName } from '../src/queue/queue-name.js';
import { createRunQueue } from '../src/queue/run-queue.js';
import { createRedis } from '../src/redis.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createEmptyDatabase } from './helpers/postgres.js';
import { startWorkerProcess, until, type Proc } from './helpers/processes.js';
import { say, startScriptedAnthropic } from './helpers/scripted-anthropic.js';
import { useCleanups } from './helpers/cleanups.js';
import { createProjectRow, createRunRow } from './helpers/run-fixtures.js';

const defer = useCleanups();

/** A brand-new database migrated from scratch (clones of the test template would share its instance id). */
async function newInstance(): Promise<{ url: string; db: PrismaClient }> {
  const database = await createEmptyDatabase('inst');
  defer(database.drop);
  const url = database.url;
  await applyMigrations(url);
  const db = createPrismaClient(url);
  defer(() => db.$disconnect());
  return { url, db };
}

async function queuedRun(db: PrismaClient): Promise<string> {
  const { project, userId } = await createProjectRow(db, { appSpec: 'A greeter.', agents: {} });
  return (await createRunRow(db, project.id, { status: 'QUEUED', startedById: userId })).id;
}

describe('queue isolation', () => {
  it('derives a stable, distinct default queue name per database; SHIPYARD_QUEUE overrides it', async () => {
    const [a, b] = await Promise.all([newInstance(), newInstance()]);
    const [nameA, nameB, againA] = await Promise.all([resolveQueueName(a.db, undefined), resolveQueueName(b.db, undefined), resolveQueueName(a.db, undefined)]);
    expect(nameA).toMatch(/^shipyard-runs-[0-9a-f]{8}$/);
    expect(nameB).not.toBe(nameA);
    expect(againA).toBe(nameA);
    expect(await resolveQueueName(a.db, 'mine')).toBe('mine');
  });

  it('a worker leaves a job whose run is not in its database for the worker that owns it', async () => {
    const [a, b] = await Promise.all([newInstance(), newInstance()]);
    const shared = `shipyard-test-shared-${randomBytes(4).toString('hex')}`;
    const model = await startScriptedAnthropic({ fallback: () => say('Nothing to do.') });
    defer(() => model.close());
    const redis = createRedis();
    defer(async () => redis.disconnect());
    const queue = new Queue(shared, { connection: redis });
    defer(async () => {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
    });
    const env = { SHIPYARD_QUEUE: shared, SHIPYARD_MIGRATE_ON_START: 'false', ...model.env() };
    const stranger: Proc = await startWorkerProcess({ ...env, DATABASE_URL: b.url });
    defer(() => stranger.stop('SIGKILL'));

    const runId = await queuedRun(a.db);
    const runQueue = createRunQueue({ connection: redis, name: shared });
    await runQueue.enqueue(runId);
    await until(() => stranger.output().includes('job for a run that is not in this database: left for the Shipyard that owns it'), 20_000, 'the warning');
    expect(await runQueue.state(runId)).toMatch(/delayed|waiting|active/);
    expect((await a.db.agentRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe('QUEUED');

    const owner: Proc = await startWorkerProcess({ ...env, DATABASE_URL: a.url });
    defer(() => owner.stop('SIGKILL'));
    const taken = await until(async () => {
      const run = await a.db.agentRun.findUniqueOrThrow({ where: { id: runId } });
      return run.status !== 'QUEUED' && run.workerId ? run : undefined;
    }, 30_000, "the owner's worker to take the run");
    expect(taken.workerId).toContain(`-${owner.child.pid}-`);
    await runQueue.close();
  }, 90_000);
});

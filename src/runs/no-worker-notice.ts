// A run that waits while no worker is alive tells its watchers why, once (a Redis NX key per run makes it once across
// API processes). Checked periodically by the API.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { logger } from '../logger.js';
import { liveWorkerCount } from '../queue/worker-liveness.js';
import { writeAsLeaseHolder } from './writer.js';

export const NO_WORKER_MESSAGE =
  'No worker is running, so this run waits in the queue. Start one with `npm run worker` (or `npm start`, which runs both); it starts as soon as a worker is up.';

const noticedKey = (runId: string) => `shipyard:no-worker-noticed:${runId}`;

async function noticeRunsWithoutWorker(deps: { db: PrismaClient; redis: Redis; queueName: string }): Promise<string[]> {
  if ((await liveWorkerCount(deps.redis, deps.queueName)) > 0) return [];
  const waiting = await deps.db.agentRun.findMany({ where: { status: 'QUEUED' }, select: { id: true, projectId: true }, orderBy: { createdAt: 'asc' }, take: 200 });
  const noticed: string[] = [];
  for (const run of waiting) {
    if ((await deps.redis.set(noticedKey(run.id), '1', 'EX', 7 * 24 * 3600, 'NX')) !== 'OK') continue;
    // A worker that appeared meanwhile writes this run's events itself; one that claims the run during this write
    // waits for the lease (writer.ts).
    if ((await liveWorkerCount(deps.redis, deps.queueName)) > 0) break;
    const told = await writeAsLeaseHolder(deps, run, 'api-notice', async ({ events }) => {
      events.emit({ type: 'STATUS', payload: { status: 'QUEUED', message: NO_WORKER_MESSAGE } });
      await events.flush();
    });
    if (told.held) continue;
    logger.warn({ runId: run.id, projectId: run.projectId }, 'run waits with no live worker');
    noticed.push(run.id);
  }
  return noticed;
}

export function watchForMissingWorkers(deps: { db: PrismaClient; redis: Redis; queueName: string; intervalMs: number }): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    noticeRunsWithoutWorker(deps)
      .catch((error) => logger.warn({ err: error }, 'no-worker check failed'))
      .finally(() => (busy = false));
  }, deps.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

// Worker liveness: each worker keeps its id in a sorted set per queue, scored by when its heartbeat expires. A worker
// that dies stops refreshing and drops out of the count once its score is in the past (no key per worker to scan).
import type { Redis } from 'ioredis';

const workersKey = (queueName: string) => `shipyard:workers:${queueName}`;

export interface Heartbeat {
  stop(): Promise<void>;
}

export async function startHeartbeat(redis: Redis, queueName: string, workerId: string, opts: { intervalMs: number; ttlMs: number }): Promise<Heartbeat> {
  const key = workersKey(queueName);
  const beat = async () => {
    const now = Date.now();
    await redis.multi().zadd(key, now + opts.ttlMs, workerId).zremrangebyscore(key, '-inf', now).exec();
  };
  await beat();
  const timer = setInterval(() => void beat().catch(() => {}), opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.zrem(key, workerId).catch(() => {});
    },
  };
}

/** Workers of the queue whose heartbeat has not expired. */
export const liveWorkerCount = (redis: Redis, queueName: string): Promise<number> => redis.zcount(workersKey(queueName), Date.now(), '+inf');

// Process-wide collaborators the resolvers need beyond the database (queue, pub/sub), wired in src/start-api.ts.
import type { Redis } from 'ioredis';
import { EventHub } from './events/hub.js';
import { createRunQueue, type RunQueue } from './queue/run-queue.js';
import { connectRedis, redisUrl } from './redis.js';

export interface AppServices {
  generationsDir: string;
  /** Commands (publish, queue). */
  redis: Redis;
  /** Live events: one Redis subscription per channel for the whole process. */
  events: EventHub;
  runQueue: RunQueue;
}

export interface ClosableServices extends AppServices {
  close(): Promise<void>;
}

/** Connects Redis (failing fast with the two fixes when nothing answers) and builds the queue and event hub. */
export async function createServices(opts: { generationsDir: string; redisUrl?: string; queueName: string }): Promise<ClosableServices> {
  const url = opts.redisUrl ?? redisUrl();
  // Commands fail after a few retries while Redis is away (a mutation reports it); the subscriber waits it out.
  const redis = await connectRedis(url, { connectionName: 'shipyard-api' });
  const subscriber = redis.duplicate({ connectionName: 'shipyard-api-events', maxRetriesPerRequest: null });
  const events = new EventHub(subscriber);
  const runQueue = createRunQueue({ connection: redis, name: opts.queueName });
  return {
    generationsDir: opts.generationsDir,
    redis,
    events,
    runQueue,
    async close() {
      await runQueue.close().catch(() => {});
      await events.close();
      redis.disconnect();
    },
  };
}

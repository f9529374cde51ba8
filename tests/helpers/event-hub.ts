// Registers a test file's hooks for the live path below the API: a Redis connection to publish on and the event hub
// (its own subscriber connection) that streams listen with. Filled in by beforeAll.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { EventHub } from '../../src/events/hub.js';
import { createRedis } from '../../src/redis.js';

export interface LiveRedis {
  redis: Redis;
  hub: EventHub;
}

export function useEventHub(): LiveRedis {
  const live = {} as LiveRedis;
  beforeAll(() => {
    live.redis = createRedis();
    live.hub = new EventHub(createRedis(undefined, { worker: true }));
  });
  afterAll(async () => {
    await live.hub?.close();
    live.redis?.disconnect();
  });
  return live;
}

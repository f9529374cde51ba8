import { describe, expect, it } from 'vitest';
import { connectRedis, RedisUnavailableError } from '../src/redis.js';
import { freePort } from './helpers/processes.js';

describe('Redis connection', () => {
  it('names the two fixes when nothing answers', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const error = await connectRedis(url, { worker: true, retryStrategy: () => 50 }, 500).catch((e) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toContain(url);
    expect(error.message).toContain('docker compose up -d redis');
    expect(error.message).toContain('redis-server');
  });

  it('connects when Redis answers', async () => {
    const redis = await connectRedis(undefined, { worker: true });
    expect(await redis.ping()).toBe('PONG');
    expect(redis.options.maxRetriesPerRequest).toBeNull();
    redis.disconnect();
  });
});

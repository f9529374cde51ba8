// npm start's local Redis: REDIS_URL unset and nothing answering on the default port → a private redis-server from
// PATH with its files under the data directory; no redis-server either → a message naming the fixes.
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { ensureLocalRedis, NoRedisError } from '../scripts/start/local-redis.js';
import { freePort } from './helpers/processes.js';
import { withEnv } from './helpers/process-settings.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function configWithNothingOnTheDefaultPort() {
  const dir = await mkdtemp(join(tmpdir(), 'shipyard-local-redis-'));
  dirs.push(dir);
  const config = loadConfig({ SHIPYARD_DATA_DIR: dir });
  // Stands in for the default URL on a machine with no Redis: a loopback port where nothing listens.
  return { ...config, redisUrl: `redis://127.0.0.1:${await freePort()}` };
}

describe('npm start without Redis', () => {
  it('starts a private redis-server under the data directory and says so', async () => {
    const config = await configWithNothingOnTheDefaultPort();
    const local = await ensureLocalRedis(config);
    try {
      expect(local.child).toBeDefined();
      expect(local.message).toMatch(/REDIS_URL is not set and nothing answers on 127\.0\.0\.1:6379: started a private redis-server at redis:\/\/127\.0\.0\.1:\d+/);
      const redis = new Redis(local.url);
      try {
        expect(await redis.ping()).toBe('PONG');
        expect(await redis.config('GET', 'dir')).toEqual(['dir', join(config.dataDir, 'redis')]);
      } finally {
        redis.disconnect();
      }
      expect(existsSync(join(config.dataDir, 'redis'))).toBe(true);
    } finally {
      const exited = new Promise((resolve) => local.child?.once('exit', resolve));
      local.child?.kill('SIGTERM');
      await exited;
    }
  });

  it('uses REDIS_URL or an answering default as it is', async () => {
    const config = loadConfig({});
    expect(await ensureLocalRedis(config)).toEqual({ url: 'redis://127.0.0.1:6379' });
    const set = { ...(await configWithNothingOnTheDefaultPort()), redisUrlSet: true };
    expect(await ensureLocalRedis(set)).toEqual({ url: set.redisUrl });
  });

  it('names both fixes when there is no redis-server on PATH', async () => {
    const config = await configWithNothingOnTheDefaultPort();
    const error = await withEnv({ PATH: join(config.dataDir, 'empty-bin') }, () => ensureLocalRedis(config).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(NoRedisError);
    expect((error as Error).message).toMatch(/install Redis.*apt-get install redis-server.*docker compose up -d redis/);
  });
});

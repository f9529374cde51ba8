// npm start only (local use): when REDIS_URL is unset and nothing answers on the default port, a private redis-server
// from PATH, on a free loopback port with its files under the data directory. Never used by `npm run api`/`worker`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../../src/config/index.js';

export interface LocalRedis {
  url: string;
  /** Set when npm start started its own redis-server. */
  child?: ChildProcess;
  message?: string;
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class NoRedisError extends Error {
  constructor() {
    super(
      'REDIS_URL is not set, nothing answers on 127.0.0.1:6379, and there is no `redis-server` on PATH to start a private one. ' +
        'Either install Redis (e.g. `sudo apt-get install redis-server`; npm start then starts it for you), ' +
        'or run `docker compose up -d redis`, or set REDIS_URL to a running server.',
    );
    this.name = 'NoRedisError';
  }
}

export async function ensureLocalRedis(config: Config): Promise<LocalRedis> {
  if (config.redisUrlSet || (await answers(config.redisUrl, 1000))) return { url: config.redisUrl };
  const dir = join(config.dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '60 1', '--appendonly', 'no', '--daemonize', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  if (!spawned) throw new NoRedisError();
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await answers(url, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The private redis-server did not start:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    message: `REDIS_URL is not set and nothing answers on 127.0.0.1:6379: started a private redis-server at ${url} (data in ${dir}); it stops with npm start.`,
  };
}

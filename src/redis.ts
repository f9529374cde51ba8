// ioredis connections for api and worker, and the clear start-up error when no Redis answers.
import { Redis, type RedisOptions } from 'ioredis';
import { config } from './config/index.js';

export const redisUrl = () => config().redisUrl;

export interface CreateRedisOptions extends RedisOptions {
  /**
   * BullMQ workers and blocking/subscriber connections must never give up on a command while Redis reconnects
   * (`maxRetriesPerRequest: null`); plain API connections fail a command after a few retries instead.
   */
  worker?: boolean;
}

export function createRedis(url: string = redisUrl(), opts: CreateRedisOptions = {}): Redis {
  const { worker, ...rest } = opts;
  return new Redis(url, {
    ...(worker ? { maxRetriesPerRequest: null } : {}),
    enableReadyCheck: true,
    ...rest,
  });
}

export class RedisUnavailableError extends Error {
  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Redis is not answering at ${redactUrl(url)} (${reason}). Shipyard needs Redis for its job queue and live events. ` +
        'Start one with `docker compose up -d redis`, or install and start `redis-server` ' +
        '(e.g. `sudo apt-get install redis-server && redis-server --daemonize yes`). Set REDIS_URL to use another server.',
      { cause },
    );
    this.name = 'RedisUnavailableError';
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Resolves once Redis answers PING; rejects with RedisUnavailableError after `timeoutMs`. */
async function assertRedisAnswers(redis: Redis, url: string = redisUrl(), timeoutMs = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let lastError: unknown = new Error('no answer');
  const onError = (error: unknown) => (lastError = error);
  redis.on('error', onError);
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(lastError), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw new RedisUnavailableError(url, error);
  } finally {
    clearTimeout(timer);
    redis.off('error', onError);
  }
}

/** createRedis + assertRedisAnswers; closes the connection again when Redis does not answer. */
export async function connectRedis(url: string = redisUrl(), opts: CreateRedisOptions = {}, timeoutMs = 3000): Promise<Redis> {
  const redis = createRedis(url, opts);
  try {
    await assertRedisAnswers(redis, url, timeoutMs);
    return redis;
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}

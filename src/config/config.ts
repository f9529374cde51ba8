// The typed configuration every process works from: built once from the environment and validated at start.
import { resolve } from 'node:path';
import type { ModelPrice } from './model-prices.js';
import type { Environment, LOG_LEVELS } from './variables.js';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface Config {
  nodeEnv: string | undefined;
  /** Unset: the embedded Postgres (PGlite) under dataDir. */
  databaseUrl: string | undefined;
  redisUrl: string;
  /** Whether REDIS_URL was set (npm start may start a private redis-server only when it was not). */
  redisUrlSet: boolean;
  model: {
    apiKey: string | undefined;
    authToken: string | undefined;
    /** Unset: the SDK's default (Anthropic's API). */
    baseUrl: string | undefined;
    defaultModel: string;
    maxRetries: number;
    streamRetries: number;
    maxOutputTokens: number;
    timeoutMs: number;
    /** A 429/529 whose retry-after is longer parks the run (PAUSED, rate_limited) instead of waiting in place. */
    rateLimitMaxWaitMs: number;
    prices: Record<string, ModelPrice>;
  };
  generationsDir: string;
  dataDir: string;
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  migrateOnStart: boolean;
  /** SHIPYARD_QUEUE; unset: derived from the database (src/queue/queue-name.ts). */
  queueName: string | undefined;
  worker: {
    concurrency: number;
    drainTimeoutMs: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
    /** BullMQ's wait before retrying a Redis command that failed for lack of a connection. */
    runRetryDelayMs: number;
    /** A run's lease in Postgres (fencing): how long a claim or renewal holds it. */
    leaseMs: number;
    /** How long the event sink and a worker's statements keep retrying while Postgres is unreachable. */
    dbRetryLimitMs: number;
    reapIntervalMs: number;
  };
  agent: {
    noProgressSessions: number;
    commandTimeoutMs: number;
    commandOutputBytes: number;
    usageFlushMs: number;
  };
  sandbox: {
    mode: 'bwrap' | 'off';
    memoryMb: number;
    fileMb: number;
    processes: number;
    tmpMb: number;
  };
  events: {
    sseFlushMs: number;
    eventFlushMs: number;
  };
  operations: {
    workerHeartbeatMs: number;
    workerTtlMs: number;
    /** The worker's /metrics port (0: any free port). */
    metricsPort: number;
    noWorkerCheckMs: number;
    requestTimeoutMs: number;
  };
  accounts: {
    /** log2 of scrypt's N. */
    scryptCost: number;
    loginMaxPerAccount: number;
    loginMaxPerAddress: number;
    loginWindowSeconds: number;
    maxSubscriptionsPerUser: number;
    /** Platform administrators besides each instance's first user (lower case). */
    adminEmails: string[];
  };
}

export function toConfig(env: Environment): Config {
  return {
    nodeEnv: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL ?? DEFAULT_REDIS_URL,
    redisUrlSet: env.REDIS_URL !== undefined,
    model: {
      apiKey: env.ANTHROPIC_API_KEY,
      authToken: env.ANTHROPIC_AUTH_TOKEN,
      baseUrl: env.ANTHROPIC_BASE_URL,
      defaultModel: env.SHIPYARD_DEFAULT_MODEL,
      maxRetries: env.SHIPYARD_API_MAX_RETRIES,
      streamRetries: env.SHIPYARD_STREAM_RETRIES,
      maxOutputTokens: env.SHIPYARD_MAX_OUTPUT_TOKENS,
      timeoutMs: env.SHIPYARD_API_TIMEOUT_MS,
      rateLimitMaxWaitMs: env.SHIPYARD_RATE_LIMIT_MAX_WAIT_MS,
      prices: env.SHIPYARD_MODEL_PRICES ?? {},
    },
    generationsDir: resolve(env.GENERATIONS_DIR),
    dataDir: resolve(env.SHIPYARD_DATA_DIR),
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    migrateOnStart: env.SHIPYARD_MIGRATE_ON_START,
    queueName: env.SHIPYARD_QUEUE,
    worker: {
      concurrency: env.WORKER_CONCURRENCY,
      drainTimeoutMs: env.SHIPYARD_DRAIN_TIMEOUT_MS,
      lockDurationMs: env.SHIPYARD_LOCK_DURATION_MS,
      stalledIntervalMs: env.SHIPYARD_STALLED_INTERVAL_MS,
      runRetryDelayMs: env.SHIPYARD_RUN_RETRY_DELAY_MS,
      leaseMs: env.SHIPYARD_LEASE_MS,
      dbRetryLimitMs: env.SHIPYARD_DB_RETRY_LIMIT_MS,
      reapIntervalMs: env.SHIPYARD_REAP_INTERVAL_MS,
    },
    agent: {
      noProgressSessions: env.SHIPYARD_NO_PROGRESS_SESSIONS,
      commandTimeoutMs: env.SHIPYARD_COMMAND_TIMEOUT_MS,
      commandOutputBytes: env.SHIPYARD_COMMAND_OUTPUT_BYTES,
      usageFlushMs: env.SHIPYARD_USAGE_FLUSH_MS,
    },
    sandbox: {
      mode: env.SHIPYARD_SANDBOX,
      memoryMb: env.SHIPYARD_SANDBOX_MEMORY_MB,
      fileMb: env.SHIPYARD_SANDBOX_FILE_MB,
      processes: env.SHIPYARD_SANDBOX_PROCESSES,
      tmpMb: env.SHIPYARD_SANDBOX_TMP_MB,
    },
    events: {
      sseFlushMs: env.SHIPYARD_SSE_FLUSH_MS,
      eventFlushMs: env.SHIPYARD_EVENT_FLUSH_MS,
    },
    operations: {
      workerHeartbeatMs: env.SHIPYARD_WORKER_HEARTBEAT_MS,
      workerTtlMs: env.SHIPYARD_WORKER_TTL_MS,
      metricsPort: env.SHIPYARD_METRICS_PORT,
      noWorkerCheckMs: env.SHIPYARD_NO_WORKER_CHECK_MS,
      requestTimeoutMs: env.SHIPYARD_REQUEST_TIMEOUT_MS,
    },
    accounts: {
      scryptCost: env.SHIPYARD_SCRYPT_COST,
      loginMaxPerAccount: env.SHIPYARD_LOGIN_MAX_PER_ACCOUNT,
      loginMaxPerAddress: env.SHIPYARD_LOGIN_MAX_PER_ADDRESS,
      loginWindowSeconds: env.SHIPYARD_LOGIN_WINDOW_S,
      maxSubscriptionsPerUser: env.SHIPYARD_MAX_SUBSCRIPTIONS_PER_USER,
      adminEmails: env.SHIPYARD_ADMIN_EMAILS ?? [],
    },
  };
}

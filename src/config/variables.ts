// Every environment variable Shipyard reads, with its validation and default. The README's configuration tables list
// exactly these names (tests/configuration.test.ts checks it). Empty values count as unset.
import { z } from 'zod';
import { parseOverrides } from './model-prices.js';

const int = (min: number, fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int({ error: `must be an integer from ${min} to ${max}` })
    .min(min, { error: `must be an integer from ${min} to ${max}` })
    .max(max, { error: `must be an integer from ${min} to ${max}` })
    .default(fallback);

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1' || value === 'yes')
    .default(fallback);

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const modelPrices = z.string().transform((source, ctx) => {
  try {
    return parseOverrides(source);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Variable name → parser. Secrets are marked so that an invalid value is never echoed. */
const variables = {
  NODE_ENV: z.string().optional(),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_AUTH_TOKEN: z.string().optional(),
  ANTHROPIC_BASE_URL: url(['http:', 'https:']).optional(),
  GENERATIONS_DIR: z.string().default('generations'),
  PORT: int(0, 4000, 65535),
  HOST: z.string().default('0.0.0.0'),
  WORKER_CONCURRENCY: int(1, 2, 1000),
  SHIPYARD_DEFAULT_MODEL: z.string().default('claude-sonnet-5-5'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  SHIPYARD_NO_PROGRESS_SESSIONS: int(1, 3),
  SHIPYARD_MODEL_PRICES: modelPrices.optional(),
  SHIPYARD_COMMAND_TIMEOUT_MS: int(1, 120_000),
  SHIPYARD_COMMAND_OUTPUT_BYTES: int(1, 200_000),
  SHIPYARD_SANDBOX: z.enum(['bwrap', 'off'], { error: 'must be bwrap or off' }).default('bwrap'),
  SHIPYARD_SANDBOX_MEMORY_MB: int(64, 2048),
  SHIPYARD_SANDBOX_FILE_MB: int(1, 512),
  SHIPYARD_SANDBOX_PROCESSES: int(16, 256),
  SHIPYARD_SANDBOX_TMP_MB: int(1, 512),
  SHIPYARD_API_MAX_RETRIES: int(0, 4, 100),
  SHIPYARD_STREAM_RETRIES: int(0, 3, 100),
  SHIPYARD_MAX_OUTPUT_TOKENS: int(1, 16_000),
  SHIPYARD_API_TIMEOUT_MS: int(1, 10 * 60_000),
  SHIPYARD_RATE_LIMIT_MAX_WAIT_MS: int(0, 60_000),
  SHIPYARD_LOCK_DURATION_MS: int(100, 6000),
  SHIPYARD_STALLED_INTERVAL_MS: int(100, 2000),
  SHIPYARD_DRAIN_TIMEOUT_MS: int(0, 25_000),
  SHIPYARD_RUN_RETRY_DELAY_MS: int(10, 500),
  SHIPYARD_LEASE_MS: int(300, 6000),
  SHIPYARD_DB_RETRY_LIMIT_MS: int(0, 30_000),
  SHIPYARD_REAP_INTERVAL_MS: int(100, 2000),
  SHIPYARD_SSE_FLUSH_MS: int(0, 4, 1000),
  SHIPYARD_EVENT_FLUSH_MS: int(0, 0, 1000),
  SHIPYARD_USAGE_FLUSH_MS: int(0, 0),
  SHIPYARD_QUEUE: z.string().regex(/^[\w.-]+$/, { error: 'may contain only letters, digits, _, . and -' }).optional(),
  SHIPYARD_DATA_DIR: z.string().default('.data'),
  SHIPYARD_MIGRATE_ON_START: flag(true),
  SHIPYARD_WORKER_HEARTBEAT_MS: int(100, 5000),
  SHIPYARD_WORKER_TTL_MS: int(300, 15_000),
  SHIPYARD_METRICS_PORT: int(0, 9464, 65535),
  SHIPYARD_NO_WORKER_CHECK_MS: int(100, 5000),
  SHIPYARD_REQUEST_TIMEOUT_MS: int(1000, 30_000),
  SHIPYARD_MAX_SUBSCRIPTIONS_PER_USER: int(1, 200),
  SHIPYARD_SCRYPT_COST: int(10, 17, 20),
  SHIPYARD_LOGIN_MAX_PER_ACCOUNT: int(1, 10),
  SHIPYARD_LOGIN_MAX_PER_ADDRESS: int(1, 50),
  SHIPYARD_LOGIN_WINDOW_S: int(1, 900),
  SHIPYARD_ADMIN_EMAILS: z
    .string()
    .transform((list) => list.split(',').map((email) => email.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.email({ error: 'must be a comma-separated list of email addresses' })))
    .optional(),
};

export type VariableName = keyof typeof variables;
export const VARIABLE_NAMES = Object.keys(variables) as VariableName[];
export const SECRET_VARIABLES: ReadonlySet<VariableName> = new Set(['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'DATABASE_URL', 'REDIS_URL']);

export const environmentSchema = z.object(variables);
export type Environment = z.output<typeof environmentSchema>;

// Environment variables of the operations and account-hardening features, read and validated once per process.
// Kept together so they can move into the one configuration module as a block.
import { z } from 'zod';

const int = (min: number) => z.coerce.number().int().min(min);

const schema = z.object({
  SHIPYARD_WORKER_HEARTBEAT_MS: int(100).default(5000),
  SHIPYARD_WORKER_TTL_MS: int(300).default(15_000),
  SHIPYARD_METRICS_PORT: int(0).max(65_535).default(9464),
  SHIPYARD_NO_WORKER_CHECK_MS: int(100).default(5000),
  SHIPYARD_ADMIN_EMAILS: z.string().default(''),
  SHIPYARD_MAX_SUBSCRIPTIONS_PER_USER: int(1).default(200),
  SHIPYARD_LOGIN_MAX_PER_ACCOUNT: int(1).default(10),
  SHIPYARD_LOGIN_MAX_PER_ADDRESS: int(1).default(50),
  SHIPYARD_LOGIN_WINDOW_S: int(1).default(900),
  SHIPYARD_REQUEST_TIMEOUT_MS: int(1000).default(30_000),
});

export type OpsSettings = z.infer<typeof schema>;

export function opsSettings(env: NodeJS.ProcessEnv = process.env): OpsSettings {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  return parsed.data;
}

// API process entry: database (DATABASE_URL or embedded), then the HTTP/WebSocket server. SIGTERM / SIGINT close it
// (open subscription streams end; clients resubscribe with their last seq elsewhere) and exit 0.
import { loadConfigOrExit } from './config/index.js';

// The configuration is checked before any other module loads (some read it when they load).
const config = loadConfigOrExit();
const { startApi } = await import('./start-api.js');
const { logger } = await import('./logger.js');

/** A close that hangs (a stuck connection, an unreachable Redis) must not keep a stopping process alive. */
const STOP_TIMEOUT_MS = 10_000;

const { RedisUnavailableError } = await import('./redis.js');
const { MigrationError } = await import('./db/apply-migrations.js');

const api = await startApi({ config }).catch((error: unknown) => {
  // Plain text for the errors an operator fixes by hand; a log line with the stack for the rest.
  if (error instanceof RedisUnavailableError || error instanceof MigrationError) console.error((error as Error).message);
  else logger.fatal({ err: error }, (error as Error).message);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping the API');
    setTimeout(() => process.exit(1), STOP_TIMEOUT_MS).unref();
    api.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stopping the API failed');
        process.exit(1);
      },
    );
  });
}

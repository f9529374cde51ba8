// API process entry: database (DATABASE_URL or embedded), then the HTTP/WebSocket server. SIGTERM / SIGINT close it
// (open subscription streams end; clients resubscribe with their last seq elsewhere) and exit 0.
import { startApi } from './start-api.js';
import { logger } from './logger.js';

/** A close that hangs (a stuck connection, an unreachable Redis) must not keep a stopping process alive. */
const STOP_TIMEOUT_MS = 10_000;

const api = await startApi();
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

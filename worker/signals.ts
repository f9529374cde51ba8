// SIGTERM/SIGINT: the first drains (active runs finish or checkpoint), a second one forces the checkpoint now.
import { logger } from '../src/logger.js';

export function exitOnSignals(shutdown: (force: boolean) => Promise<void>): void {
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: checkpointing active runs now');
      void shutdown(true);
      return;
    }
    logger.info({ signal }, 'draining: no new runs; active runs finish or checkpoint (send the signal again to hurry)');
    stopping = shutdown(false).then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

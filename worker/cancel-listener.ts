// Stop relay, worker side: every worker subscribes; the one executing the run aborts it.
import type { Redis } from 'ioredis';
import { cancelChannel } from '../src/queue/names.js';
import { STOP } from './abort-reasons.js';
import type { ActiveRuns } from './active-runs.js';
import { logger } from '../src/logger.js';

export async function listenForCancels(subscriber: Redis, activeRuns: ActiveRuns, queueName: string, workerId: string): Promise<() => Promise<void>> {
  const channel = cancelChannel(queueName);
  subscriber.on('message', (ch: string, runId: string) => {
    if (ch !== channel) return;
    if (activeRuns.abort(runId, STOP)) logger.info({ runId, worker: workerId }, 'stop relayed to this worker; aborting the run');
  });
  await subscriber.subscribe(channel);
  return async () => {
    await subscriber.unsubscribe(channel).catch(() => {});
    subscriber.disconnect();
  };
}

// Stop relay, worker side: every worker subscribes; the one holding the run's job aborts it.
import type { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { cancelChannel } from '../src/queue/names.js';
import { STOP } from './processor.js';
import { logger } from '../src/logger.js';

export async function listenForCancels(subscriber: Redis, worker: Worker, queueName: string): Promise<() => Promise<void>> {
  const channel = cancelChannel(queueName);
  subscriber.on('message', (ch: string, runId: string) => {
    if (ch !== channel) return;
    if (worker.cancelJob(runId, STOP)) logger.info({ runId, worker: worker.id }, 'stop relayed to this worker; aborting the run');
  });
  await subscriber.subscribe(channel);
  return async () => {
    await subscriber.unsubscribe(channel).catch(() => {});
    subscriber.disconnect();
  };
}

// Queue names, job payloads and the Redis channel that relays stops to whichever worker holds a run.
import { config } from '../config/index.js';

/** Tests give every file its own queue (and so its own BullMQ keys and cancel channel). */
export const runQueueName = () => config().queueName;

export interface RunJobData {
  runId: string;
}

/** Stop requests for runs of one queue are published here; every worker of the queue subscribes. */
export const cancelChannel = (queueName: string) => `shipyard:cancel:${queueName}`;

export const ACTIVE_RUN_STATUSES = ['QUEUED', 'RUNNING', 'INTERRUPTED'] as const;

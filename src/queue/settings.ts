// BullMQ timings. A long agent run holds its job for minutes or hours; what matters is how fast a dead worker's
// job is noticed: its lock expires after SHIPYARD_LOCK_DURATION_MS and the next stalled check (every SHIPYARD_STALLED_INTERVAL_MS, run
// by every live worker) moves it back to wait, so another worker resumes it within ~LOCK + INTERVAL.
import type { JobsOptions, WorkerOptions } from 'bullmq';
import { config } from '../config/index.js';


export function workerTimings(): Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'runRetryDelay'> {
  return {
    lockDuration: config().worker.lockDurationMs,
    stalledInterval: config().worker.stalledIntervalMs,
    // BullMQ waits this long before retrying a Redis command that failed for lack of a connection (its default, 15 s,
    // held every run back after a Redis restart).
    runRetryDelay: config().worker.runRetryDelayMs,
    // A crashed worker is an infrastructure event, not a verdict on the run: allow many recoveries before BullMQ
    // would mark the job failed.
    maxStalledCount: 20,
  };
}

/** Runs are not retried by BullMQ (the processor records failures itself); retention is bounded. */
export const RUN_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

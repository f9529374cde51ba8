// Producer side of the run queue (the API and the reaper): enqueue by run id, remove a waiting job, relay stops.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { cancelChannel, type RunJobData } from './names.js';
import { RUN_JOB_OPTIONS } from './settings.js';

type RunJobState = Awaited<ReturnType<Queue['getJobState']>> | 'missing';

export interface RunQueue {
  readonly name: string;
  readonly queue: Queue<RunJobData>;
  /** Idempotent: the job id is the run id, so enqueueing a run twice adds one job. */
  enqueue(runId: string): Promise<void>;
  /** Enqueues again even if a finished job with this id is still retained (used to resume an interrupted run). */
  requeue(runId: string): Promise<void>;
  /** Adds a timer job that resumes the run at `at` if it is still PAUSED then. */
  scheduleResume(runId: string, at: Date): Promise<void>;
  /** Removes the run's job unless a worker holds it. True when no job is left (removed or never there). */
  removeIfNotActive(runId: string): Promise<boolean>;
  state(runId: string): Promise<RunJobState>;
  /** Asks every worker of this queue to abort the run if it holds it. */
  relayCancel(runId: string): Promise<void>;
  close(): Promise<void>;
}

export function createRunQueue(opts: { connection: Redis; name: string }): RunQueue {
  const name = opts.name;
  const queue = new Queue<RunJobData>(name, { connection: opts.connection, defaultJobOptions: RUN_JOB_OPTIONS });
  queue.on('error', () => {}); // connection errors surface through the shared connection's own listener

  const state = async (runId: string): Promise<RunJobState> => {
    const s = await queue.getJobState(runId);
    return s === 'unknown' ? 'missing' : s;
  };

  return {
    name,
    queue,
    async enqueue(runId) {
      await queue.add('run', { runId }, { jobId: runId });
    },
    async requeue(runId) {
      const current = await state(runId);
      if (current === 'completed' || current === 'failed') await queue.remove(runId);
      await queue.add('run', { runId }, { jobId: runId });
    },
    async scheduleResume(runId, at) {
      const delay = Math.max(0, at.getTime() - Date.now());
      await queue.add('resume', { runId, resume: 'scheduled' }, { jobId: `resume-${runId}-${at.getTime()}`, delay });
    },
    async removeIfNotActive(runId) {
      const current = await state(runId);
      if (current === 'missing') return true;
      if (current === 'active') return false;
      return (await queue.remove(runId)) === 1;
    },
    state,
    async relayCancel(runId) {
      await opts.connection.publish(cancelChannel(name), runId);
    },
    close: () => queue.close(),
  };
}

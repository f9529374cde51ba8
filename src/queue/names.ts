// Queue names, job payloads and the Redis channel that relays stops to whichever worker holds a run.

export interface RunJobData {
  runId: string;
  /** A timer job (its own job id): at its time it resumes the run if it is still PAUSED (rate limits). */
  resume?: 'scheduled';
  /** How often a worker whose database does not have the run left the job for its owner (see worker/processor.ts). */
  foreignBounces?: number;
}

/** Stop requests for runs of one queue are published here; every worker of the queue subscribes. */
export const cancelChannel = (queueName: string) => `shipyard:cancel:${queueName}`;

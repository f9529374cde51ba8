// Why a worker aborts a run it holds: a stop (relayed by stopAgentRun, or noticed at a lease renewal) ends it
// CANCELLED; a shutdown checkpoints it (INTERRUPTED, job back to wait) for another worker to resume.
export const STOP = 'stop';
export const SHUTDOWN = 'shutdown';

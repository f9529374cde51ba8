// The contract between the job processor (owner of a run's status) and the agent runtime (the run's sessions).
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import type { EventSink } from '../../src/events/types.js';
import type { LeaseCheck } from '../../src/runs/lease.js';
import type { RunSnapshot } from '../../src/runs/snapshot.js';

export interface AgentRuntimeContext {
  runId: string;
  /** The run as the processor read it for this job; without it (tests, benches) the runtime reads it. */
  run?: RunSnapshot;
  db: PrismaClient;
  /** Sequenced, durable event stream of this run. */
  events: EventSink;
  /** Aborted when the run is stopped (stopAgentRun) or the worker shuts down; must reach the model stream and child processes. */
  signal: AbortSignal;
  /**
   * The run's lease (fencing), when the caller holds one: asked before every tool call, after the TOOL_CALL event
   * was stored under the lease's epoch. Losing it also aborts `signal`.
   */
  lease?: LeaseCheck;
  /** Told when a session ends (the worker logs it and measures its duration). */
  onSessionEnd?: (session: SessionEnd) => void;
}

interface SessionEnd {
  number: number;
  kind: string;
  turns: number;
  stopReason: string;
  newlyPassing: number;
  durationMs: number;
}

/**
 * How the runtime ended. The processor writes the run's final status and the COMPLETE event from it.
 * - SUCCEEDED: every feature passes.
 * - STOPPED: a limit ended the run (stopReason: 'budget' | 'max_sessions' | 'no_progress' | 'max_turns' ...).
 * - FAILED: an unrecoverable error (error: a readable reason).
 * - CANCELLED: the signal was aborted (the processor decides between CANCELLED and INTERRUPTED by why it aborted).
 */
export interface RunOutcome {
  /** PAUSED: parked with a checkpoint (stopReason: 'user' | 'budget' | 'rate_limited'); resumeAgentRun continues it. */
  status: 'SUCCEEDED' | 'STOPPED' | 'FAILED' | 'CANCELLED' | 'PAUSED';
  stopReason: string | null;
  error?: string;
  /** PAUSED by a rate limit: when a timer job resumes it. */
  resumeAt?: Date;
  /** PAUSED by a budget: which one (told in the STATUS event). */
  detail?: string;
}

/**
 * The agent runtime: runs a run's sessions until a stop condition. Resumable: it continues after
 * run.sessionsCompleted, and a session that was interrupted mid-way is started again. It writes sessions, usage and
 * cost, features, commits and test results; it never writes the run's status (the processor does).
 */
export type AgentRuntime = (ctx: AgentRuntimeContext) => Promise<RunOutcome>;

// The one way a run's status is written: a single UPDATE whose WHERE clause holds the transition table
// (transitions.ts) and, for a lease holder, its epoch. It returns the run's usage totals from the same statement, so
// the writer can tell the final cost without reading the row again.
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { RunStatus } from '../events/types.js';
import { RunOwnershipLostError } from '../events/sink.js';
import { notFound } from '../errors.js';
import { ForbiddenTransitionError, statusesLeadingTo } from './transitions.js';

export interface StatusWrite {
  to: RunStatus;
  /** Narrows the table's from-statuses (e.g. only runs no worker holds); a run in another allowed status is left as it is. */
  from?: readonly RunStatus[];
  /** The writer's lease epoch (lease.ts): the row changes only while it is still this one. */
  epoch?: number;
  /** Columns written with the status. */
  data?: Omit<Prisma.AgentRunUpdateManyMutationInput, 'status'>;
}

/** The run's usage totals as the status write left them. */
export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  costUsd: number;
}

const USAGE = { inputTokens: true, outputTokens: true, cacheReadInputTokens: true, cacheCreationInputTokens: true, costUsd: true } as const;

/**
 * Writes the status. Returns the usage when written; null when the run's status is one `from` excluded (the table
 * allowed it: another writer got there first). Throws ForbiddenTransitionError when the table forbids the change from
 * the run's current status, RunOwnershipLostError when the epoch moved on, notFound when the run does not exist.
 */
export async function writeRunStatus(db: PrismaClient, runId: string, write: StatusWrite): Promise<RunUsage | null> {
  const allowed = statusesLeadingTo(write.to).filter((status) => !write.from || write.from.includes(status));
  const [row] = await db.agentRun.updateManyAndReturn({
    where: { id: runId, status: { in: allowed }, ...(write.epoch === undefined ? {} : { leaseEpoch: write.epoch }) },
    data: { ...write.data, status: write.to },
    select: USAGE,
  });
  if (row) return { ...row, costUsd: Number(row.costUsd) };
  const current = await db.agentRun.findUnique({ where: { id: runId }, select: { status: true, leaseEpoch: true } });
  if (!current) {
    if (write.epoch !== undefined) throw new RunOwnershipLostError(runId, 0);
    throw notFound('Agent run');
  }
  if (write.epoch !== undefined && current.leaseEpoch !== write.epoch) throw new RunOwnershipLostError(runId, 0);
  if (!statusesLeadingTo(write.to).includes(current.status)) throw new ForbiddenTransitionError(runId, current.status, write.to);
  return null;
}

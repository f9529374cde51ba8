// The one row-lock helper: every `SELECT … FOR UPDATE` that serialises writers on a row is spelled here.
import { Prisma } from '../generated/prisma/client.js';

/** Tables whose rows are locked to serialise writers: a project (runs, feature syncs) or a single row being edited. */
export type LockableTable = 'Project' | 'WorkItem' | 'AgentRun';

/** FOR UPDATE blocks every other locker and writer; FOR SHARE only writers, so readers that lock may proceed together. */
export type RowLockMode = 'FOR UPDATE' | 'FOR SHARE';

const TABLES: Record<LockableTable, Prisma.Sql> = {
  Project: Prisma.sql`"Project"`,
  WorkItem: Prisma.sql`"WorkItem"`,
  AgentRun: Prisma.sql`"AgentRun"`,
};

const MODES: Record<RowLockMode, Prisma.Sql> = {
  'FOR UPDATE': Prisma.sql`FOR UPDATE`,
  'FOR SHARE': Prisma.sql`FOR SHARE`,
};

type Transaction = Pick<Prisma.TransactionClient, '$queryRaw'>;

/**
 * Locks one row until the surrounding transaction ends; a second transaction locking the same row waits here.
 * Returns false when the row does not exist (nothing is locked then).
 */
export async function lockRow(tx: Transaction, table: LockableTable, id: string, mode: RowLockMode = 'FOR UPDATE'): Promise<boolean> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`SELECT "id" FROM ${TABLES[table]} WHERE "id" = ${id}::uuid ${MODES[mode]}`;
  return rows.length > 0;
}

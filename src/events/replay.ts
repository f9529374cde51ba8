// Reading persisted events back from Postgres (the source of truth) in the wire shape.
import type { PrismaClient } from '../generated/prisma/client.js';
import type { RunEvent } from './types.js';

export async function loadRunEvents(
  db: PrismaClient,
  run: { id: string; projectId: string },
  opts: { afterSeq?: number; beforeSeq?: number; limit?: number } = {},
): Promise<RunEvent[]> {
  const rows = await db.agentRunEvent.findMany({
    where: { runId: run.id, seq: { gt: opts.afterSeq ?? 0, ...(opts.beforeSeq != null ? { lt: opts.beforeSeq } : {}) } },
    orderBy: { seq: 'asc' },
    take: opts.limit ?? 500,
    select: { seq: true, type: true, payload: true, createdAt: true },
  });
  return rows.map((row) => ({
    runId: run.id,
    projectId: run.projectId,
    seq: row.seq,
    type: row.type,
    payload: row.payload,
    createdAt: row.createdAt.toISOString(),
  }));
}

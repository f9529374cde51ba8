// The project a row belongs to, for the auth scope of mutations that name the row by id: one lookup for every kind.
import type { PrismaClient, ProjectRole } from '../generated/prisma/client.js';
import { notFound } from '../errors.js';
import { isUuid } from './uuid.js';

type Owned = { projectId: string } | null;

const OWNED_ROWS = {
  Agent: { label: 'Agent', find: (db: PrismaClient, id: string): Promise<Owned> => db.agent.findUnique({ where: { id }, select: { projectId: true } }) },
  AgentRun: { label: 'Agent run', find: (db: PrismaClient, id: string): Promise<Owned> => db.agentRun.findUnique({ where: { id }, select: { projectId: true } }) },
  WorkItem: { label: 'Work item', find: (db: PrismaClient, id: string): Promise<Owned> => db.workItem.findUnique({ where: { id }, select: { projectId: true } }) },
} as const;

export type ProjectOwnedRow = keyof typeof OWNED_ROWS;

/** The id of the project owning this row; NOT_FOUND when there is no such row. */
export async function owningProjectId(db: PrismaClient, row: ProjectOwnedRow, id: string): Promise<string> {
  const { label, find } = OWNED_ROWS[row];
  const owned = isUuid(id) ? await find(db, id) : null;
  if (!owned) throw notFound(label);
  return owned.projectId;
}

/** The auth scope "a member of the project owning this row, with at least `role`". */
export async function memberOfOwner(db: PrismaClient, row: ProjectOwnedRow, id: string, role: ProjectRole) {
  return { member: { projectId: await owningProjectId(db, row, id), role } };
}

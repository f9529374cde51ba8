// Resolves a REST/WebSocket caller and the run or project they name, with the same answers as GraphQL: 401 without a
// valid token, 400 for a malformed id, 404 for an unknown one, 403 for a non-member.
import { decodeGlobalID } from '@pothos/plugin-relay';
import type { PrismaClient, ProjectRole, User } from '../generated/prisma/client.js';
import { bearerFrom, userForToken } from '../auth/tokens.js';
import { roleAtLeast } from '../auth/membership.js';
import { lookupRole } from '../db/sql/membership.js';
import { isUuid } from '../schema/uuid.js';
import { restError } from './errors.js';
import type { NodeType } from './ids.js';

/** The caller and the id of the token they used (long-lived streams end when it is revoked). */
export async function authenticateToken(db: PrismaClient, authorization: string | null | undefined): Promise<{ user: User; tokenId: string }> {
  const secret = bearerFrom(authorization);
  const found = secret ? await userForToken(db, secret) : null;
  if (!found) throw restError('UNAUTHENTICATED', 'Sign in first: send Authorization: Bearer <token>.');
  return found;
}

/** The row id named by a raw UUID or a global id of `type`. */
export function rowId(type: NodeType, id: string): string {
  if (isUuid(id)) return id;
  try {
    const decoded = decodeGlobalID(id);
    if (decoded.typename === type && isUuid(decoded.id)) return decoded.id;
  } catch {
    // not base64 / not a global id
  }
  throw restError('BAD_USER_INPUT', `Invalid ${type} id: ${id}`);
}

export async function assertMember(db: PrismaClient, user: User, projectId: string, min: ProjectRole = 'VIEWER'): Promise<void> {
  const { project, role } = await lookupRole(db, projectId, user.id);
  if (!project) throw restError('NOT_FOUND', 'Project not found.');
  if (!roleAtLeast(role, min)) throw restError('FORBIDDEN', 'You do not have access to this project.');
}

/** The run (raw ids) after checking the user may read it. */
export async function readableRun(db: PrismaClient, user: User, id: string): Promise<{ id: string; projectId: string }> {
  const runId = rowId('AgentRun', id);
  const run = await db.agentRun.findUnique({ where: { id: runId }, select: { id: true, projectId: true } });
  if (!run) throw restError('NOT_FOUND', 'Agent run not found.');
  await assertMember(db, user, run.projectId);
  return run;
}

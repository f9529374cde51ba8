// Bearer tokens: random secrets shown once; only their SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient, User } from '../generated/prisma/client.js';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export function newTokenSecret(kind: 'session' | 'api'): string {
  return `shy_${kind === 'api' ? 'api' : 'ses'}_${randomBytes(24).toString('base64url')}`;
}

export const hashToken = (secret: string) => createHash('sha256').update(secret).digest('hex');

export async function issueToken(db: PrismaClient, userId: string, kind: 'session' | 'api', name: string) {
  const token = newTokenSecret(kind);
  const apiToken = await db.apiToken.create({
    data: {
      userId,
      name,
      kind: kind === 'api' ? 'API' : 'SESSION',
      tokenHash: hashToken(token),
      prefix: token.slice(0, 12),
      expiresAt: kind === 'session' ? new Date(Date.now() + SESSION_TTL_MS) : null,
    },
  });
  return { token, apiToken };
}

/** The user a bearer token belongs to, or null when it is unknown, revoked or expired. */
export async function userForToken(db: PrismaClient, secret: string): Promise<User | null> {
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(secret) }, include: { user: true } });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() < Date.now())) return null;
  return row.user;
}

export function bearerFrom(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : null;
}

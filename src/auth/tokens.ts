// Bearer tokens: random secrets shown once; only their SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient, User } from '../generated/prisma/client.js';
import { selectUserByTokenHash } from '../db/sql/tokens.js';

const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

function newTokenSecret(kind: 'session' | 'api'): string {
  return `shy_${kind === 'api' ? 'api' : 'ses'}_${randomBytes(24).toString('base64url')}`;
}

const hashToken = (secret: string) => createHash('sha256').update(secret).digest('hex');

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

/** The user a bearer token belongs to and the token's id, or null when it is unknown, revoked or expired. */
export function userForToken(db: PrismaClient, secret: string): Promise<{ user: User; tokenId: string } | null> {
  return selectUserByTokenHash(db, hashToken(secret));
}

export function bearerFrom(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : null;
}

// Bearer tokens: random secrets shown once; only their SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient, User } from '../generated/prisma/client.js';
import { pgPool, prismaTimestamps } from '../db/client.js';

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
export async function userForToken(db: PrismaClient, secret: string): Promise<{ user: User; tokenId: string } | null> {
  // Every request asks this: straight through pg (a Prisma query costs more than the lookup itself).
  const { rows } = await pgPool(db).query<User & { tokenId: string }>({
    name: 'shipyard_user_for_token_id',
    text: `SELECT u."id", u."email", u."name", u."passwordHash", u."isAdmin", u."createdAt", u."updatedAt", t."id" AS "tokenId"
      FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId"
      WHERE t."tokenHash" = $1 AND t."revokedAt" IS NULL AND (t."expiresAt" IS NULL OR t."expiresAt" > (now() AT TIME ZONE 'UTC'))`,
    values: [hashToken(secret)],
    types: prismaTimestamps,
  });
  const row = rows[0];
  if (!row) return null;
  const { tokenId, ...user } = row;
  return { user, tokenId };
}

export function bearerFrom(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : null;
}

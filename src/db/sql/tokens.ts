// Token lookups asked by every request, straight through pg: a Prisma query costs more than the lookup itself.
import type { PrismaClient, User } from '../../generated/prisma/client.js';
import { pgPool, prismaTimestamps } from '../client.js';

/** The user owning an unrevoked, unexpired token with this SHA-256, and the token's id; null when there is none. */
export async function selectUserByTokenHash(db: PrismaClient, tokenHash: string): Promise<{ user: User; tokenId: string } | null> {
  const { rows } = await pgPool(db).query<User & { tokenId: string }>({
    name: 'shipyard_user_for_token_id',
    text: `SELECT u."id", u."email", u."name", u."passwordHash", u."isAdmin", u."createdAt", u."updatedAt", t."id" AS "tokenId"
      FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId"
      WHERE t."tokenHash" = $1 AND t."revokedAt" IS NULL AND (t."expiresAt" IS NULL OR t."expiresAt" > (now() AT TIME ZONE 'UTC'))`,
    values: [tokenHash],
    types: prismaTimestamps,
  });
  const row = rows[0];
  if (!row) return null;
  const { tokenId, ...user } = row;
  return { user, tokenId };
}

// Revoking tokens: marked in Postgres, then announced on Redis so every API process ends the subscriptions that were
// opened with them (see subscriptions/subscription-guard.ts).
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { logger } from '../logger.js';

const REVOKED_TOKENS_CHANNEL = 'shipyard:tokens-revoked';

/** Revokes the user's tokens with these ids (others' are ignored); returns the ids revoked now. */
export async function revokeTokens(db: PrismaClient, redis: Redis, userId: string, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const revoked = await db.$transaction(async (tx) => {
    const live = await tx.apiToken.findMany({ where: { id: { in: ids }, userId, revokedAt: null }, select: { id: true } });
    await tx.apiToken.updateMany({ where: { id: { in: live.map((t) => t.id) } }, data: { revokedAt: new Date() } });
    return live.map((t) => t.id);
  });
  if (revoked.length) {
    await redis.publish(REVOKED_TOKENS_CHANNEL, JSON.stringify(revoked)).catch((error: unknown) => {
      // The tokens are revoked for every new request; only already open streams would live on until they end.
      logger.error({ err: error }, 'could not announce revoked tokens');
    });
  }
  return revoked;
}

/** `subscriber` is a dedicated connection. Resolves once subscribed; returns the unsubscribe. */
export async function listenForRevocations(subscriber: Redis, onRevoked: (tokenIds: string[]) => void): Promise<() => Promise<void>> {
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== REVOKED_TOKENS_CHANNEL) return;
    try {
      const ids: unknown = JSON.parse(message);
      if (Array.isArray(ids)) onRevoked(ids.filter((id): id is string => typeof id === 'string'));
    } catch (error) {
      logger.warn({ err: error }, 'unreadable token revocation message');
    }
  });
  await subscriber.subscribe(REVOKED_TOKENS_CHANNEL);
  return async () => {
    await subscriber.unsubscribe(REVOKED_TOKENS_CHANNEL).catch(() => {});
    subscriber.disconnect();
  };
}

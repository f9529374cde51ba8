// logIn rate limits in Redis (fixed windows, shared by every API process): failed attempts per account, and all
// attempts per client address (each costs a password hash).
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ClientError } from '../errors.js';

export interface LoginLimits {
  maxPerAccount: number;
  maxPerAddress: number;
  windowSeconds: number;
  /** Separates Shipyard instances sharing a Redis (their queue name). */
  scope: string;
}

const accountKey = (limits: LoginLimits, email: string) => `shipyard:login:${limits.scope}:account:${createHash('sha256').update(email).digest('hex')}`;
const addressKey = (limits: LoginLimits, address: string) => `shipyard:login:${limits.scope}:address:${address}`;

const rateLimited = (retryAfterSeconds: number) =>
  new ClientError('RATE_LIMITED', `Too many sign-in attempts. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });

/** Counts this attempt for the address and throws RATE_LIMITED when the address or the account is over its limit. */
export async function checkLogin(redis: Redis, limits: LoginLimits, email: string, address: string): Promise<void> {
  const [addr, account] = await redis
    .multi()
    .incr(addressKey(limits, address))
    .expire(addressKey(limits, address), limits.windowSeconds, 'NX')
    .ttl(addressKey(limits, address))
    .get(accountKey(limits, email))
    .ttl(accountKey(limits, email))
    .exec()
    .then((replies) => {
      const values = (replies ?? []).map(([error, value]) => {
        if (error) throw error;
        return value;
      });
      return [
        { count: Number(values[0]), ttl: Number(values[2]) },
        { count: Number(values[3] ?? 0), ttl: Number(values[4]) },
      ];
    });
  if (addr!.count > limits.maxPerAddress) throw rateLimited(Math.max(1, addr!.ttl));
  if (account!.count >= limits.maxPerAccount) throw rateLimited(Math.max(1, account!.ttl));
}

export async function recordFailedLogin(redis: Redis, limits: LoginLimits, email: string): Promise<void> {
  await redis.multi().incr(accountKey(limits, email)).expire(accountKey(limits, email), limits.windowSeconds, 'NX').exec();
}

export async function clearFailedLogins(redis: Redis, limits: LoginLimits, email: string): Promise<void> {
  await redis.del(accountKey(limits, email));
}

// Users: the lock that makes "the instance's first user" hold under concurrent sign-ups.
import type { Prisma } from '../../generated/prisma/client.js';

/** An arbitrary constant naming the lock; only sign-up takes it. */
const FIRST_USER_LOCK = 5_349_847_203_114_001n;

/** Serialises sign-ups until the transaction ends, so exactly one of concurrent first sign-ups sees no user yet. */
export async function lockFirstUserCheck(tx: Pick<Prisma.TransactionClient, '$executeRaw'>): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_USER_LOCK})`;
}

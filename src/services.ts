// Process-wide collaborators the resolvers need (database, queue, pub/sub), wired in src/start-api.ts. Resolvers and
// REST handlers reach them only through here (ctx.services), never through a process-global getter.
import type { Redis } from 'ioredis';
import type { PrismaClient } from './generated/prisma/client.js';
import { EventHub } from './events/hub.js';
import { createRunQueue, type RunQueue } from './queue/run-queue.js';
import { connectRedis, redisUrl } from './redis.js';
import { SubscriptionGuard } from './subscriptions/subscription-guard.js';
import { MembershipCache } from './subscriptions/access.js';
import type { Config } from './config/index.js';
import { listenForRevocations } from './auth/revocation.js';
import { DummyHash, paramsFor, type ScryptParams } from './auth/passwords.js';
import type { LoginLimits } from './auth/login-limit.js';

export interface AppServices {
  /** The process's Prisma client (its pg pool serves the hand-written SQL of src/db/sql). */
  db: PrismaClient;
  generationsDir: string;
  /** Commands (publish, queue). */
  redis: Redis;
  /** Live events: one Redis subscription per channel for the whole process. */
  events: EventHub;
  runQueue: RunQueue;
  /** Open subscriptions: per-user cap, count, and ending them when their token is revoked. */
  subscriptions: SubscriptionGuard;
  /** Membership answers for every live stream's per-event check, cached about a second per (user, project). */
  memberships: MembershipCache;
  accounts: {
    passwordParams: ScryptParams;
    /** Verified against when an email has no account, so both cost the same. */
    dummyHash: DummyHash;
    loginLimits: LoginLimits;
  };
}

export interface ClosableServices extends AppServices {
  close(): Promise<void>;
}

/** Connects Redis (failing fast with the two fixes when nothing answers) and builds the queue and event hub. */
export async function createServices(opts: { db: PrismaClient; generationsDir: string; redisUrl?: string; queueName: string; accounts: Config['accounts'] }): Promise<ClosableServices> {
  const url = opts.redisUrl ?? redisUrl();
  // Commands fail after a few retries while Redis is away (a mutation reports it); the subscriber waits it out.
  const redis = await connectRedis(url, { connectionName: 'shipyard-api' });
  const subscriber = redis.duplicate({ connectionName: 'shipyard-api-events', maxRetriesPerRequest: null });
  const events = new EventHub(subscriber);
  const runQueue = createRunQueue({ connection: redis, name: opts.queueName });
  const settings = opts.accounts;
  const subscriptions = new SubscriptionGuard({ maxPerUser: settings.maxSubscriptionsPerUser });
  const passwordParams = paramsFor(settings.scryptCost);
  const dummyHash = new DummyHash(passwordParams);
  void dummyHash.get(); // ready before the first login, so that one is not slower for unknown emails
  const stopRevocations = await listenForRevocations(
    redis.duplicate({ connectionName: 'shipyard-api-revocations', maxRetriesPerRequest: null }),
    (tokenIds) => subscriptions.revoke(tokenIds),
  );
  return {
    db: opts.db,
    generationsDir: opts.generationsDir,
    redis,
    events,
    runQueue,
    subscriptions,
    memberships: new MembershipCache(),
    accounts: {
      passwordParams,
      dummyHash,
      loginLimits: {
        maxPerAccount: settings.loginMaxPerAccount,
        maxPerAddress: settings.loginMaxPerAddress,
        windowSeconds: settings.loginWindowSeconds,
        scope: runQueue.name,
      },
    },
    async close() {
      await runQueue.close().catch(() => {});
      await stopRevocations();
      await events.close();
      redis.disconnect();
    },
  };
}

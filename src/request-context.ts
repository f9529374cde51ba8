import type { User } from './generated/prisma/client.js';
import type { AppServices } from './services.js';
import { bearerFrom, userForToken } from './auth/tokens.js';
import { ViewerAccessCache } from './auth/viewer-access-cache.js';
import { FeatureStatsLoader } from './features/feature-stats-loader.js';
import type { LiveDelivery } from './subscriptions/delivery.js';

export interface Context {
  user: User | null;
  /** The id of the token the request authenticated with (its revocation ends the request's subscriptions). */
  tokenId: string | null;
  /** The client's IP address as this process sees it (the peer of the connection). */
  clientAddress: string | null;
  /** What this request has already learnt about the viewer's access (roles by project, co-members). */
  access: ViewerAccessCache;
  /** Batch loaders of this request: what resolvers ask in the same tick is fetched in one query. */
  loaders: { featureStats: FeatureStatsLoader };
  /** Process-wide collaborators: the only way resolvers reach the database, Redis and the queue. */
  services: AppServices;
  /** A subscription's way to push live events to its subscriber, when its transport offers one (else it only yields). */
  live?: LiveDelivery;
}

/** Builds a request's context from its Authorization value (HTTP header or graphql-ws connection_init payload). */
export async function contextFor(authorization: string | null | undefined, services: AppServices, clientAddress: string | null = null): Promise<Context> {
  const secret = bearerFrom(authorization);
  const found = secret ? await userForToken(services.db, secret) : null;
  return {
    user: found?.user ?? null,
    tokenId: found?.tokenId ?? null,
    clientAddress,
    access: new ViewerAccessCache(),
    loaders: { featureStats: new FeatureStatsLoader(services.db) },
    services,
  };
}

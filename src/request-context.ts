import type { ProjectRole, User } from './generated/prisma/client.js';
import type { AppServices } from './services.js';
import { getDb } from './db/client.js';
import { bearerFrom, userForToken } from './auth/tokens.js';
import type { LiveDelivery } from './subscriptions/delivery.js';

export interface Context {
  user: User | null;
  /** The id of the token the request authenticated with (its revocation ends the request's subscriptions). */
  tokenId: string | null;
  /** The client's IP address as this process sees it (the peer of the connection). */
  clientAddress: string | null;
  /** Per-request cache of the viewer's role by project id. */
  roles: Map<string, Promise<ProjectRole | null>>;
  services: AppServices;
  /** A subscription's way to push live events to its subscriber, when its transport offers one (else it only yields). */
  live?: LiveDelivery;
}

/** Builds a request's context from its Authorization value (HTTP header or graphql-ws connection_init payload). */
export async function contextFor(authorization: string | null | undefined, services: AppServices, clientAddress: string | null = null): Promise<Context> {
  const secret = bearerFrom(authorization);
  const found = secret ? await userForToken(getDb(), secret) : null;
  return { user: found?.user ?? null, tokenId: found?.tokenId ?? null, clientAddress, roles: new Map(), services };
}

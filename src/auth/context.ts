import { getDb } from '../db/client.js';
import type { Context } from '../context.js';
import type { AppServices } from '../services.js';
import { bearerFrom, userForToken } from './tokens.js';

/** Builds a request's context from its Authorization value (HTTP header or graphql-ws connection_init payload). */
export async function contextFor(authorization: string | null | undefined, services: AppServices, clientAddress: string | null = null): Promise<Context> {
  const secret = bearerFrom(authorization);
  const found = secret ? await userForToken(getDb(), secret) : null;
  return { user: found?.user ?? null, tokenId: found?.tokenId ?? null, clientAddress, roles: new Map(), services };
}

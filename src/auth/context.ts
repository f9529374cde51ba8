import { getDb } from '../db/client.js';
import type { Context } from '../context.js';
import type { AppServices } from '../services.js';
import { bearerFrom, userForToken } from './tokens.js';

/** Builds a request's context from its Authorization value (HTTP header or graphql-ws connection_init payload). */
export async function contextFor(authorization: string | null | undefined, services: AppServices): Promise<Context> {
  const secret = bearerFrom(authorization);
  const user = secret ? await userForToken(getDb(), secret) : null;
  return { user, roles: new Map(), services };
}

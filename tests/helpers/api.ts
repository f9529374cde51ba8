// Starts the real API on a loopback port against a fresh database, and talks to it over HTTP.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createTestDatabase } from './postgres.js';
import { startApi, type StartedApi } from '../../src/start-api.js';

export interface TestApi extends StartedApi {
  databaseUrl: string;
  close: () => Promise<void>;
}

export async function startTestApi(): Promise<TestApi> {
  const database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  process.env.SHIPYARD_MIGRATE_ON_START = 'false';
  const api = await startApi({
    port: 0,
    database: { url: database.url, embedded: false, poolMax: undefined, close: async () => {} },
  });
  return {
    ...api,
    databaseUrl: database.url,
    close: async () => {
      await api.stop();
      await database.drop();
    },
  };
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; [k: string]: unknown } }>;
}

type Doc<T, V> = TypedDocumentNode<T, V> | string;

export async function gql<T = any, V = Record<string, unknown>>(
  api: { url: string },
  document: Doc<T, V>,
  variables?: V,
  token?: string,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/** Like gql, but throws when the response has errors. */
export async function gqlOk<T = any, V = Record<string, unknown>>(api: { url: string }, document: Doc<T, V>, variables?: V, token?: string): Promise<T> {
  const result = await gql(api, document, variables, token);
  if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data as T;
}

export const errorCodes = (result: GraphQLResponse<unknown>) => (result.errors ?? []).map((e) => e.extensions?.code);

let userCounter = 0;
export async function signUp(api: { url: string }, name = 'user'): Promise<{ token: string; userId: string; email: string }> {
  const email = `${name}-${process.pid}-${++userCounter}-${Date.now()}@example.com`;
  const data = await gqlOk(
    api,
    `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }`,
    { input: { email, password: 'correct horse battery', name } },
  );
  return { token: data.signUp.token, userId: data.signUp.user.id, email };
}

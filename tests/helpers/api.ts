// Starts the real API on a loopback port against a fresh database, and talks to it over HTTP.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createTestDatabase } from './postgres.js';
import { startApi, type StartedApi } from '../../src/start-api.js';
import { loadConfig } from '../../src/config/index.js';
import type { VariableName } from '../../src/config/variables.js';
import { SignUpDocument } from '../generated/graphql.js';

/** Configuration variables, as an API or worker process would read them from its environment. */
export type Settings = Partial<Record<VariableName, string>>;

export interface TestApiOptions {
  /** Default: a queue of this API's own (cloned test databases share the instance id a queue name derives from). */
  queueName?: string;
  /** Default: a fresh temporary directory, removed on close. */
  generationsDir?: string;
  /** Further configuration of this API (e.g. login limits), given to it directly; the process environment is untouched. */
  settings?: Settings;
}

export interface TestApi extends StartedApi, Omit<TestInstance, 'remove'> {
  close: () => Promise<void>;
}

/** What one Shipyard instance of a test owns: a fresh database, its own queue name and workspaces directory. */
export interface TestInstance {
  databaseUrl: string;
  queueName: string;
  generationsDir: string;
  /** The variables a worker or API child process needs to join this instance: database, queue, workspaces. */
  instanceEnv: { DATABASE_URL: string; SHIPYARD_QUEUE: string; GENERATIONS_DIR: string };
  remove(): Promise<void>;
}

export async function createTestInstance(opts: Omit<TestApiOptions, 'settings'> = {}): Promise<TestInstance> {
  const database = await createTestDatabase();
  const ownGenerations = opts.generationsDir ? undefined : await mkdtemp(join(tmpdir(), 'shipyard-gen-'));
  const generationsDir = opts.generationsDir ?? ownGenerations!;
  const queueName = opts.queueName ?? `shipyard-test-${randomBytes(4).toString('hex')}`;
  return {
    databaseUrl: database.url,
    queueName,
    generationsDir,
    instanceEnv: { DATABASE_URL: database.url, SHIPYARD_QUEUE: queueName, GENERATIONS_DIR: generationsDir },
    async remove() {
      await database.drop();
      if (ownGenerations) await rm(ownGenerations, { recursive: true, force: true });
    },
  };
}

/** The API in this process, on a loopback port, on an instance of its own. */
export async function startTestApi(opts: TestApiOptions = {}): Promise<TestApi> {
  const instance = await createTestInstance(opts);
  const config = loadConfig({ ...process.env, ...opts.settings, ...instance.instanceEnv, SHIPYARD_MIGRATE_ON_START: 'false' });
  const api = await startApi({
    port: 0,
    config,
    database: { url: instance.databaseUrl, embedded: false, poolMax: undefined, close: async () => {} },
  });
  return {
    ...api,
    ...instance,
    close: async () => {
      // Jobs left on this API's own queue would wait for a worker forever.
      await api.services.runQueue.queue.obliterate({ force: true }).catch(() => {});
      await api.stop();
      await instance.remove();
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

export const PASSWORD = 'correct horse battery';

let userCounter = 0;
/** A unique email for `name` (per process, counter and time). */
const uniqueEmail = (name = 'user') => `${name}-${process.pid}-${++userCounter}-${Date.now()}@example.com`;

export async function signUp(api: { url: string }, name = 'user', email = uniqueEmail(name)): Promise<{ token: string; userId: string; email: string }> {
  const data = await gqlOk(api, SignUpDocument, { input: { email, password: PASSWORD, name } });
  return { token: data.signUp.token, userId: data.signUp.user.id, email };
}

// The CLI's connection to a Shipyard server: GraphQL requests, with server answers turned into CLI errors.
import { CliError, EXIT, notSignedIn } from './errors.js';

export interface Session {
  server: string;
  token?: string;
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export const unreachable = (server: string, error: unknown) =>
  new CliError(
    `Cannot reach the Shipyard server at ${server} (${(error as { cause?: { code?: string; message?: string } }).cause?.code ?? (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message}): start it with \`npm start\`, or point --server / SHIPYARD_URL at it.`,
    EXIT.unreachable,
  );

/** Fetch against the server; network failures become exit code 4. */
export async function request(session: Session, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (session.token) headers.set('authorization', `Bearer ${session.token}`);
  try {
    return await fetch(`${session.server}${path}`, { ...init, headers });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw unreachable(session.server, error);
  }
}

export async function graphql<T>(session: Session, query: string, variables: Record<string, unknown> = {}, opts: { anonymous?: boolean } = {}): Promise<T> {
  if (!session.token && !opts.anonymous) throw notSignedIn();
  const response = await request(session, '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  let answer: GraphQLAnswer<T>;
  try {
    answer = (await response.json()) as GraphQLAnswer<T>;
  } catch {
    throw new CliError(`${session.server} answered ${response.status} without GraphQL: is it a Shipyard server?`, EXIT.unreachable);
  }
  const error = answer.errors?.[0];
  if (error) {
    const code = error.extensions?.code;
    if (code === 'UNAUTHENTICATED') throw opts.anonymous ? new CliError(error.message, EXIT.auth) : notSignedIn();
    if (code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED') throw new CliError(error.message, EXIT.usage);
    throw new CliError(error.message, EXIT.failed);
  }
  return answer.data as T;
}

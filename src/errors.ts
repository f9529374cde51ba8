// Coded client errors. Anything else thrown is masked by Yoga as "Unexpected error.".
import { GraphQLError } from 'graphql';

export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'RATE_LIMITED' | 'TOO_MANY_SUBSCRIPTIONS';

export class ClientError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

export const unauthenticated = () =>
  new ClientError(
    'UNAUTHENTICATED',
    'Sign in first: run signUp or logIn and send its token as the header `Authorization: Bearer <token>` ' +
      '(in GraphiQL: the Headers tab, {"Authorization": "Bearer <token>"}; over graphql-ws: the connection_init payload ' +
      'or the subscribe message\'s extensions.headers).',
  );
export const forbidden = (what = 'this project') => new ClientError('FORBIDDEN', `You do not have access to ${what}.`);
export const notFound = (what: string) => new ClientError('NOT_FOUND', `${what} not found.`);
export const badInput = (message: string, field?: string) =>
  new ClientError('BAD_USER_INPUT', message, field ? { field } : {});
export const conflict = (message: string) => new ClientError('CONFLICT', message);

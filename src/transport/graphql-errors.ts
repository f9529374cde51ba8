// How GraphQL errors reach clients and the log, for Yoga (HTTP, SSE) and graphql-ws alike: a client's mistake keeps
// (or gets) its code and is logged at info, anything else is masked as INTERNAL_SERVER_ERROR and logged with its stack.
import { GraphQLError } from 'graphql';
import { logger } from '../logger.js';

export const UNEXPECTED = 'Unexpected error.';

/**
 * Keeps coded client errors, gives validation failures a code, hides everything else. This is the one place errors
 * are logged: client mistakes at info without a stack, anything unexpected at error with its stack.
 */
export function maskError(error: unknown, message: string): GraphQLError {
  const client = asClientError(error);
  if (client) {
    logger.info({ code: client.extensions.code, message: client.message, path: client.path }, 'client error');
    return client;
  }
  logger.error({ err: error instanceof GraphQLError ? (error.originalError ?? error) : error }, 'unexpected error');
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** The error as a client should see it when it is the client's mistake; null when it is ours. */
function asClientError(error: unknown): GraphQLError | null {
  if (!(error instanceof GraphQLError)) return null;
  const original = error.originalError;
  if (!original) {
    return error.extensions?.code
      ? error
      : new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } });
  }
  // Pothos reports malformed or mistyped global ids as uncoded GraphQLErrors: client mistakes.
  if (original instanceof GraphQLError) {
    return original.extensions?.code
      ? error
      : new GraphQLError(error.message, { nodes: error.nodes, path: error.path, extensions: { code: 'BAD_USER_INPUT' } });
  }
  return null;
}

/** Yoga's own logger, minus its error line for every masked error (maskError has logged it at the right level). */
export function yogaLogger() {
  const log = logger.child({ component: 'yoga' });
  return {
    debug: (...args: unknown[]) => log.debug(args.map(String).join(' ')),
    info: (...args: unknown[]) => log.info(args.map(String).join(' ')),
    warn: (...args: unknown[]) => log.warn(args.map(String).join(' ')),
    error: (...args: unknown[]) => {
      if (args.length === 1 && args[0] instanceof Error) return;
      log.error(args.map(String).join(' '));
    },
  };
}

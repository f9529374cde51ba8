// REST errors: the GraphQL error codes mapped to HTTP statuses, written as { error: { code, message } }.
import type { ServerResponse } from 'node:http';

export const STATUS_BY_CODE: Record<string, number> = {
  BAD_USER_INPUT: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  RATE_LIMITED: 429,
  TOO_MANY_SUBSCRIPTIONS: 429,
};

export interface RestError {
  status: number;
  code: string;
  message: string;
}

export const restError = (code: string, message: string): RestError => ({ status: STATUS_BY_CODE[code] ?? 500, code, message });

/** The first coded GraphQL error as a REST error; anything uncoded stays masked. */
export function fromGraphQLErrors(errors: Array<{ message: string; extensions?: { code?: unknown } }>): RestError {
  const first = errors[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
  return code in STATUS_BY_CODE ? restError(code, first!.message) : { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, error: RestError): void {
  const headers: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, headers);
}

// REST errors: the GraphQL error codes mapped to HTTP statuses, written as { error: { code, message } }.
import type { ServerResponse } from 'node:http';

const STATUS_BY_CODE: Record<string, number> = {
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
  /** Sent as Retry-After (a 429 that knows when trying again makes sense, e.g. RATE_LIMITED). */
  retryAfterSeconds?: number;
}

export const restError = (code: string, message: string): RestError => ({ status: STATUS_BY_CODE[code] ?? 500, code, message });

/** The first coded GraphQL error as a REST error; anything uncoded stays masked. */
export function fromGraphQLErrors(errors: Array<{ message: string; extensions?: { code?: unknown; retryAfterSeconds?: unknown } }>): RestError {
  const first = errors[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
  if (!(code in STATUS_BY_CODE)) return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' };
  const retryAfter = first!.extensions?.retryAfterSeconds;
  return {
    ...restError(code, first!.message),
    ...(typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: Math.ceil(retryAfter) } : {}),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, error: RestError): void {
  const headers: Record<string, string> = error.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, headers);
}

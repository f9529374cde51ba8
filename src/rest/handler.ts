// /api/*: the seed's REST routes (routes.ts, executed through Yoga), the run event stream (sse.ts) and the OpenAPI
// document with its page (openapi.ts, docs-page.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Context } from '../request-context.js';
import type { AppServices } from '../services.js';
import { REST_ROUTES, matchPath } from './routes.js';
import type { RestRoute } from './route-types.js';
import { fromGraphQLErrors, restError, sendError, sendJson, type RestError } from './errors.js';
import { streamRunOverSse } from './sse.js';
import { openApiDocument } from './openapi.js';
import { docsPage } from './docs-page.js';

type Yoga = YogaServerInstance<{ req?: IncomingMessage }, Context>;

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: unknown } }>;
}

const isRestError = (error: unknown): error is RestError =>
  typeof error === 'object' && error !== null && 'status' in error && 'code' in error && 'message' in error;

/** Reads a JSON object body of at most maxBytes. */
async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw restError('PAYLOAD_TOO_LARGE', `Request body over ${maxBytes} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw restError('PAYLOAD_TOO_LARGE', `Request body over ${maxBytes} bytes.`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw restError('BAD_USER_INPUT', 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw restError('BAD_USER_INPUT', 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function at(data: unknown, path: string[]): unknown {
  let value = data;
  for (const key of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** The route's answer in REST shape: the object, or a connection as { items, pageInfo, totalCount? }. */
function answerOf(route: RestRoute, data: Record<string, unknown> | null | undefined): unknown {
  const value = at(data, route.answer.path);
  if (value == null) throw restError('NOT_FOUND', 'Not found.');
  if (route.answer.kind === 'one') return value;
  const connection = value as { edges: Array<{ node: unknown }>; pageInfo: unknown; totalCount?: number };
  return {
    items: connection.edges.map((edge) => edge.node),
    pageInfo: connection.pageInfo,
    ...(connection.totalCount !== undefined ? { totalCount: connection.totalCount } : {}),
  };
}

async function execute(yoga: Yoga, req: IncomingMessage, document: string, variables: Record<string, unknown>): Promise<GraphQLAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (req.headers.authorization) headers.authorization = req.headers.authorization;
  // The request goes along as server context: the GraphQL context takes the client address from it (logIn's limits).
  const response = await yoga.fetch('http://rest.internal/graphql', { method: 'POST', headers, body: JSON.stringify({ query: document, variables }) }, { req });
  return (await response.json()) as GraphQLAnswer;
}

export function createRestHandler(yoga: Yoga, services: AppServices, opts: { maxBodyBytes: number }) {
  return async function handleRest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    try {
      if (path === '/api/openapi.json' && method === 'GET') return sendJson(res, 200, openApiDocument());
      if (path === '/api/docs' && method === 'GET') {
        return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(docsPage());
      }
      const stream = matchPath('/api/agent-runs/:id/stream', path);
      if (stream && method === 'GET') return await streamRunOverSse(req, res, url, stream.id!, services);
      let pathMatched = false;
      for (const route of REST_ROUTES) {
        const params = matchPath(route.path, path);
        if (!params) continue;
        pathMatched = true;
        if (route.method !== method) continue;
        const body = method === 'GET' ? {} : await readJsonBody(req, opts.maxBodyBytes);
        const result = await execute(yoga, req, route.document, route.variables({ params, query: url.searchParams, body }));
        if (result.errors?.length) return sendError(res, fromGraphQLErrors(result.errors));
        return sendJson(res, route.status ?? 200, answerOf(route, result.data));
      }
      if (pathMatched || stream) return sendError(res, restError('METHOD_NOT_ALLOWED', `${method} is not supported on ${path}.`));
      return sendError(res, restError('NOT_FOUND', `No route ${method} ${path}. See /api/openapi.json, or GraphQL at /graphql.`));
    } catch (error) {
      if (isRestError(error)) return sendError(res, error);
      throw error;
    }
  };
}

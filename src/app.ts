// The HTTP + WebSocket server: Yoga (GraphQL over HTTP and SSE), graphql-ws on the same path, /health and /ready.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError } from 'graphql';
import { schema } from './schema/index.js';
import { contextFor } from './auth/context.js';
import { getDb } from './db/client.js';
import type { Context } from './context.js';
import type { AppServices } from './services.js';
import { logger } from './logger.js';
import { coalesceWrites } from './events/coalesce-writes.js';
import { setWsLiveWriter } from './events/ws-frames.js';
import { useSharedSubscriptionExecution } from './events/shared-execution.js';
import { useSseSubscriptionFrames } from './events/sse-frames.js';
import { createRestHandler } from './rest/handler.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  services: AppServices;
  /** Extra readiness checks (e.g. Redis), each throwing when not ready. */
  readinessChecks?: Array<() => Promise<void>>;
  /** Live workers of this instance's queue, reported by /ready (`?require=worker` makes none a 503). */
  liveWorkers?: () => Promise<number>;
}

export function createGraphQLHandler(services: AppServices): YogaServerInstance<{ req?: IncomingMessage }, Context> {
  return createYoga<{ req?: IncomingMessage }, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'Shipyard', subscriptionsProtocol: 'WS' },
    logging: logger.child({ component: 'yoga' }) as never,
    // graphql-ws builds its context without a request (its authorization comes from connection_init, below).
    context: ({ request }) => contextFor(request?.headers.get('authorization'), services),
    maskedErrors: {
      maskError: (error, message) => maskError(error, message),
    },
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: 12, flattenFragments: true },
        maxAliases: { n: 20 },
        maxDirectives: { n: 20 },
        maxTokens: { n: 2000 },
        costLimit: { maxCost: 5000, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5 },
        blockFieldSuggestion: { enabled: true },
      }),
      // One execution + serialization per live event per viewer, shared by that viewer's subscriptions.
      useSharedSubscriptionExecution<Context>({ viewerKey: (ctx) => ctx.user?.id ?? '' }),
      useSseSubscriptionFrames(),
    ],
  });
}

/** Keeps coded client errors, gives validation failures a code, hides everything else. */
function maskError(error: unknown, message: string): Error {
  if (error instanceof GraphQLError) {
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
  }
  logger.error({ err: error instanceof GraphQLError ? error.originalError : error }, 'unexpected error');
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** How long a WebSocket client gets to answer our close frame before its socket is cut. */
const WS_CLOSE_GRACE_MS = 500;

export interface App {
  server: Server;
  /**
   * Shutdown, first step: every graphql-ws socket is closed with 1001 (going away) so clients resubscribe elsewhere
   * with their last seq, and no new socket is accepted. Resolves once they are gone.
   */
  closeWebSockets(): Promise<void>;
}

export function createApp({ services, readinessChecks = [], liveWorkers }: AppOptions): App {
  const yoga = createGraphQLHandler(services);
  const rest = createRestHandler(yoga, services, { maxBodyBytes: MAX_BODY_BYTES });
  const server = createServer(async (req, res) => {
    const [path, query = ''] = (req.url ?? '/').split('?');
    if (path === '/api' || path?.startsWith('/api/')) {
      return rest(req, res, new URL(req.url ?? '/', 'http://localhost')).catch((error: unknown) => {
        logger.error({ err: error }, 'unexpected REST error');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":"INTERNAL_SERVER_ERROR","message":"Unexpected error."}}');
        else res.end();
      });
    }
    if (path === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (path === '/ready') return ready(res, readinessChecks, liveWorkers, new URLSearchParams(query).get('require') === 'worker');
    if (req.method === 'POST') {
      const length = Number(req.headers['content-length'] ?? NaN);
      if (Number.isNaN(length)) return void res.writeHead(411).end('Content-Length required');
      if (length > MAX_BODY_BYTES) return void res.writeHead(413).end(`Request body over ${MAX_BODY_BYTES} bytes`);
    }
    if (req.headers.accept?.includes('text/event-stream')) coalesceWrites(res);
    return yoga.requestListener(req, res);
  });

  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: MAX_BODY_BYTES });
  const wsServer = useServer(
    {
      // Close reasons never carry an internal error's text (as with HTTP, errors are masked).
      isProd: true,
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      // Errors sent to a subscriber (a throw while streaming included) are masked like HTTP's.
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => maskError(e, UNEXPECTED) as GraphQLError),
      onSubscribe: async (ctx, id, params) => {
        try {
          return await prepareSubscription(ctx, id, params);
        } catch (error) {
          // e.g. Postgres unreachable while authorizing: the subscriber gets the masked error, the socket stays open.
          return [maskError(error, UNEXPECTED) as GraphQLError];
        }
      },
    },
    wss,
  );
  async function prepareSubscription(ctx: any, id: string, params: any) {
        const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const authorization = (ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization) as string | undefined;
        const args = {
          schema: s,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: { ...(await contextFactory()), ...(await contextFor(authorization, services)) },
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors.map((e: GraphQLError) => maskError(e, e.message) as GraphQLError);
        setWsLiveWriter(args.contextValue, ctx.extra.socket, id, () => id in ctx.subscriptions);
        return args;
  }
  // Each WebSocket message is two socket writes (header, payload): join them per flush like SSE responses.
  wss.on('connection', (_socket, req) => coalesceWrites(req.socket));

  const closeWebSockets = async () => {
    const sockets = [...wss.clients];
    const gone = Promise.all(sockets.map((socket) => new Promise<void>((resolve) => (socket.readyState === socket.CLOSED ? resolve() : socket.once('close', () => resolve())))));
    // dispose(): close(1001, 'Going away') on every socket, then the server stops accepting.
    const disposed = Promise.resolve(wsServer.dispose()).catch(() => {});
    const cut = setTimeout(() => sockets.forEach((socket) => socket.terminate()), WS_CLOSE_GRACE_MS);
    await Promise.all([gone, disposed]);
    clearTimeout(cut);
  };
  return { server, closeWebSockets };
}

const UNEXPECTED = 'Unexpected error.';

/**
 * Postgres and Redis answer. With no live worker the API is still ready (it serves everything but running runs, and
 * `npm start` brings it up before its worker): the body says `workers: 0`, and `?require=worker` turns that into a 503.
 */
async function ready(res: ServerResponse, checks: Array<() => Promise<void>>, liveWorkers: AppOptions['liveWorkers'], requireWorker: boolean) {
  const json = (status: number, body: object) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  try {
    await getDb().$queryRaw`SELECT 1`;
    for (const check of checks) await check();
    const workers = liveWorkers ? await liveWorkers() : undefined;
    if (requireWorker && !workers) return json(503, { status: 'not ready', reason: 'no live worker', workers: workers ?? 0 });
    return json(200, workers === undefined ? { status: 'ready' } : { status: 'ready', workers });
  } catch (error) {
    return json(503, { status: 'not ready', reason: (error as Error).message });
  }
}

// The HTTP + WebSocket server: Yoga (GraphQL over HTTP and SSE), graphql-ws on the same path, /health and /ready.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError } from 'graphql';
import { schema } from './schema/index.js';
import { graphiqlOptions } from './graphiql/options.js';
import { buildGraphiQLAssets, GRAPHIQL_ASSETS_PATH, type GraphiQLAssets } from './graphiql/assets.js';
import { authorizationOf } from './auth/ws-authorization.js';
import { getDb } from './db/client.js';
import { contextFor, type Context } from './request-context.js';
import type { AppServices } from './services.js';
import { logger } from './logger.js';
import { coalesceWrites } from './events/coalesce-writes.js';
import { setWsLiveWriter } from './events/ws-frames.js';
import { useSharedSubscriptionExecution } from './events/shared-execution.js';
import { useSseSubscriptionFrames } from './events/sse-frames.js';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Registry } from 'prom-client';
import { serveMetrics } from './metrics/serve.js';
import { useRejectInvalidText } from './plugins/reject-invalid-text.js';
import { createRestHandler } from './rest/handler.js';
import { createAdminHandler } from './admin/queue-dashboard.js';
import { createProjectSockets } from './ws/project-socket.js';
import { serveConsole } from './console/serve.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Yoga's per-operation metrics: counts, durations and errors; not the per-phase timings (a cost on every request). */
const GRAPHQL_METRICS = {
  graphql_envelop_request: true,
  graphql_envelop_request_duration: true,
  graphql_envelop_error_result: true,
  graphql_yoga_http_duration: true,
  graphql_envelop_request_time_summary: false,
  graphql_envelop_deprecated_field: false,
  graphql_envelop_phase_parse: false,
  graphql_envelop_phase_validate: false,
  graphql_envelop_phase_context: false,
  graphql_envelop_phase_execute: false,
  graphql_envelop_phase_subscribe: false,
  graphql_envelop_schema_change: false,
} as const;

export interface AppOptions {
  services: AppServices;
  /** Extra readiness checks (e.g. Redis), each throwing when not ready. */
  readinessChecks?: Array<() => Promise<void>>;
  /** Platform administrators besides those flagged in the database (the queue dashboard at /admin/queues). */
  adminEmails?: readonly string[];
  /** How long a client may take to send a whole request (headers and body). */
  requestTimeoutMs?: number;
  /** Served at /metrics (Prometheus text format); GraphQL operations are measured into it too. */
  metrics?: Registry;
  /** Live workers of this instance's queue, reported by /ready (`?require=worker` makes none a 503). */
  liveWorkers?: () => Promise<number>;
}

function createGraphQLHandler(
  services: AppServices,
  metrics?: Registry,
  graphiql: () => GraphiQLAssets = () => buildGraphiQLAssets(graphiqlOptions),
): YogaServerInstance<{ req?: IncomingMessage }, Context> {
  return createYoga<{ req?: IncomingMessage }, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: graphiqlOptions,
    renderGraphiQL: () => graphiql().html,
    logging: yogaLogger(),
    // graphql-ws builds its context without a request (its authorization comes from connection_init, below).
    context: ({ request, req }) => contextFor(request?.headers.get('authorization'), services, req?.socket.remoteAddress ?? null),
    maskedErrors: {
      maskError: (error, message) => maskError(error, message),
    },
    plugins: [
      useRejectInvalidText<Context>(),
      services.subscriptions.plugin(),
      // Invalid documents never reach maskError: log them here, like every other client mistake.
      {
        onValidate: () => ({ result }: { result: readonly GraphQLError[] }) => {
          if (result.length) logger.info({ code: 'GRAPHQL_VALIDATION_FAILED', message: result.map((e) => e.message).join('; ') }, 'client error');
        },
      },
      ...(metrics ? [usePrometheus({ registry: metrics, endpoint: false, metrics: GRAPHQL_METRICS })] : []),
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

/**
 * Keeps coded client errors, gives validation failures a code, hides everything else. This is the one place errors
 * are logged: client mistakes at info without a stack, anything unexpected at error with its stack.
 */
function maskError(error: unknown, message: string): Error {
  const client = asClientError(error);
  if (client) {
    logger.info({ code: client.extensions.code, message: client.message, path: client.path }, 'client error');
    return client;
  }
  logger.error({ err: error instanceof GraphQLError ? (error.originalError ?? error) : error }, 'unexpected error');
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** How long a WebSocket client gets to answer our close frame before its socket is cut. */
const WS_CLOSE_GRACE_MS = 500;

export interface App {
  server: Server;
  /**
   * Shutdown, first step: every WebSocket (graphql-ws and /ws/:projectId) is closed with 1001 (going away) so clients
   * resubscribe elsewhere with their last seq, and no new socket is accepted. Resolves once they are gone.
   */
  closeWebSockets(): Promise<void>;
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

/** Yoga's own logger, minus its error line for every masked error (maskError above has logged it at the right level). */
function yogaLogger() {
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

export function createApp({ services, readinessChecks = [], liveWorkers, metrics, requestTimeoutMs = 30_000, adminEmails = [] }: AppOptions): App {
  // Built on the first GraphiQL request (it copies a 9 MB page), then kept.
  let graphiqlAssets: GraphiQLAssets | undefined;
  const graphiql = () => (graphiqlAssets ??= buildGraphiQLAssets(graphiqlOptions));
  const yoga = createGraphQLHandler(services, metrics, graphiql);
  const admin = createAdminHandler({ queue: services.runQueue.queue, adminEmails });
  const rest = createRestHandler(yoga, services, { maxBodyBytes: MAX_BODY_BYTES });
  // A client that sends its headers or body slowly (slowloris) is cut off: 408 once the whole request has not
  // arrived within requestTimeoutMs. Checked every second rather than node's default 30 s.
  const timeouts = { requestTimeout: requestTimeoutMs, headersTimeout: Math.min(requestTimeoutMs, 10_000), connectionsCheckingInterval: 1000 };
  const server = createServer(timeouts, async (req, res) => {
    const [path, query = ''] = (req.url ?? '/').split('?');
    if (path === '/api' || path?.startsWith('/api/')) {
      return rest(req, res, new URL(req.url ?? '/', 'http://localhost')).catch((error: unknown) => {
        logger.error({ err: error }, 'unexpected REST error');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":"INTERNAL_SERVER_ERROR","message":"Unexpected error."}}');
        else res.end();
      });
    }
    if (path?.startsWith(`${GRAPHIQL_ASSETS_PATH}/`) && req.method === 'GET') {
      const file = graphiql().files.get(path);
      if (!file) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'public, max-age=3600' }).end(file.body);
    }
    if (path === '/admin' || path?.startsWith('/admin/')) {
      return admin(req, res, path).catch((error: unknown) => {
        logger.error({ err: error }, 'unexpected admin error');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Unexpected error.\n');
        else res.end();
      });
    }
    if (path === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (path === '/metrics' && metrics) return serveMetrics(metrics, res);
    if (path === '/ready') return ready(res, readinessChecks, liveWorkers, new URLSearchParams(query).get('require') === 'worker');
    if (req.method !== 'POST' && path !== '/graphql' && (await serveConsole(req, res))) return;
    if (req.method === 'POST') {
      const length = Number(req.headers['content-length'] ?? NaN);
      if (Number.isNaN(length)) return void res.writeHead(411).end('Content-Length required');
      if (length > MAX_BODY_BYTES) return void res.writeHead(413).end(`Request body over ${MAX_BODY_BYTES} bytes`);
    }
    if (req.headers.accept?.includes('text/event-stream')) coalesceWrites(res);
    return yoga.requestListener(req, res);
  });

  // WebSocket upgrades are routed by path: graphql-ws on /graphql, the seed's project sockets on /ws/:projectId.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  const projectSockets = createProjectSockets(services, MAX_BODY_BYTES);
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === yoga.graphqlEndpoint) return wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    if (projectSockets.handleUpgrade(req, socket, head)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
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
        const authorization = authorizationOf(ctx.connectionParams, params.extensions);
        const args = {
          schema: s,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: { ...(await contextFactory()), ...(await contextFor(authorization, services, ctx.extra.request.socket.remoteAddress ?? null)) },
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors.map((e: GraphQLError) => maskError(e, e.message) as GraphQLError);
        setWsLiveWriter(args.contextValue, ctx.extra.socket, id, () => id in ctx.subscriptions);
        return args;
  }
  // Each WebSocket message is two socket writes (header, payload): join them per flush like SSE responses.
  wss.on('connection', (_socket, req) => coalesceWrites(req.socket));
  server.on('close', () => {
    wss.close();
    void projectSockets.close(0);
  });

  const closeWebSockets = async () => {
    const sockets = [...wss.clients];
    const gone = Promise.all(sockets.map((socket) => new Promise<void>((resolve) => (socket.readyState === socket.CLOSED ? resolve() : socket.once('close', () => resolve())))));
    // dispose(): close(1001, 'Going away') on every socket, then the server stops accepting.
    const disposed = Promise.resolve(wsServer.dispose()).catch(() => {});
    const cut = setTimeout(() => sockets.forEach((socket) => socket.terminate()), WS_CLOSE_GRACE_MS);
    await Promise.all([gone, disposed, projectSockets.close(WS_CLOSE_GRACE_MS)]);
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

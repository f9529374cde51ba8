// src/transport/: HTTP and WebSocket. It owns the server and its routes (this file), the Yoga instance and plugins
// (graphql-handler.ts, shared-execution.ts, sse-frames.ts, reject-invalid-text.ts), graphql-ws (graphql-ws.ts), live
// push (live-push.ts: the LiveDelivery of src/subscriptions/delivery.ts), SSE/WebSocket framing, write coalescing and
// the project WebSocket (/ws/:projectId). It may import src/schema/, src/subscriptions/, src/rest/ and the domain
// modules; only entry points (src/start-api.ts) import it. Per-server state (the write coalescer, push counts, frame
// caches) is created here, once per createApp.
//
// This file: routes each request (REST, GraphiQL assets, admin, health, readiness, metrics, the console, GraphQL over
// HTTP and SSE) and each WebSocket upgrade (graphql-ws on /graphql, the project sockets on /ws/:projectId).
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { graphiqlOptions } from '../graphiql/options.js';
import { buildGraphiQLAssets, GRAPHIQL_ASSETS_PATH, type GraphiQLAssets } from '../graphiql/assets.js';
import type { AppServices } from '../services.js';
import { logger } from '../logger.js';
import { serveMetrics } from '../metrics/serve.js';
import { createRestHandler } from '../rest/handler.js';
import { createAdminHandler } from '../admin/queue-dashboard.js';
import { serveConsole } from '../console/serve.js';
import { WriteCoalescer } from './coalesce-writes.js';
import { createGraphQLHandler } from './graphql-handler.js';
import { createGraphQLSockets } from './graphql-ws.js';
import { LivePush, newLivePushCounts, type LivePushCounts } from './live-push.js';
import { createProjectSockets } from './project-socket.js';
import { ready } from './readiness.js';

export const MAX_BODY_BYTES = 1024 * 1024;

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
  /** How long SSE and WebSocket writes may wait to be joined while the event loop is busy. */
  writeWindowMs: number;
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
  /** Results pushed to subscribers so far (live-push.ts), per transport. */
  livePushed: Readonly<LivePushCounts>;
}

export function createApp({ services, readinessChecks = [], liveWorkers, metrics, requestTimeoutMs = 30_000, adminEmails = [], writeWindowMs }: AppOptions): App {
  const coalescer = new WriteCoalescer(writeWindowMs);
  const livePushed = newLivePushCounts();
  // Built on the first GraphiQL request (it copies a page of several megabytes), then kept.
  let graphiqlAssets: GraphiQLAssets | undefined;
  const graphiql = () => (graphiqlAssets ??= buildGraphiQLAssets(graphiqlOptions));
  const yoga = createGraphQLHandler(services, metrics, graphiql);
  const admin = createAdminHandler({ db: services.db, queue: services.runQueue.queue, adminEmails });
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
    if (path === '/ready') return ready(res, { db: services.db, checks: readinessChecks, liveWorkers }, new URLSearchParams(query).get('require') === 'worker');
    if (req.method !== 'POST' && path !== '/graphql' && (await serveConsole(req, res))) return;
    if (req.method === 'POST') {
      const length = Number(req.headers['content-length'] ?? NaN);
      if (Number.isNaN(length)) return void res.writeHead(411).end('Content-Length required');
      if (length > MAX_BODY_BYTES) return void res.writeHead(413).end(`Request body over ${MAX_BODY_BYTES} bytes`);
    }
    if (!req.headers.accept?.includes('text/event-stream')) return yoga.requestListener(req, res);
    // A possible subscription stream: its writes are joined, and its live events may be pushed (live-push.ts).
    coalescer.coalesce(res);
    return yoga.handle(req, res, { livePush: new LivePush(livePushed) });
  });

  // WebSocket upgrades are routed by path: graphql-ws on /graphql, the seed's project sockets on /ws/:projectId.
  const graphqlSockets = createGraphQLSockets(yoga, { services, maxPayload: MAX_BODY_BYTES, coalescer, livePushed });
  const projectSockets = createProjectSockets(services, MAX_BODY_BYTES);
  server.on('upgrade', (req, socket, head) => {
    if (graphqlSockets.handleUpgrade(req, socket, head) || projectSockets.handleUpgrade(req, socket, head)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.on('close', () => {
    graphqlSockets.stopAccepting();
    void projectSockets.close(0);
  });

  const closeWebSockets = async () => {
    await Promise.all([graphqlSockets.close(WS_CLOSE_GRACE_MS), projectSockets.close(WS_CLOSE_GRACE_MS)]);
  };
  return { server, closeWebSockets, livePushed };
}

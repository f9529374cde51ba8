// graphql-ws on the GraphQL endpoint: WebSocket subscriptions (and queries, mutations) executed by the same Yoga
// instance as HTTP, authorized by connection_init (or a subscribe message's extensions), errors masked like HTTP's.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { OperationResult, Context as WsContext, SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { authorizationOf } from '../auth/ws-authorization.js';
import { contextFor, type Context } from '../request-context.js';
import type { AppServices } from '../services.js';
import type { WriteCoalescer } from './coalesce-writes.js';
import { maskError, UNEXPECTED } from './graphql-errors.js';
import { LivePush, type LivePushCounts } from './live-push.js';
import type { ServerContext } from './server-context.js';
import { WsFrames } from './ws-frames.js';

export interface GraphQLSocketsOptions {
  services: AppServices;
  maxPayload: number;
  coalescer: WriteCoalescer;
  livePushed: LivePushCounts;
}

export function createGraphQLSockets(yoga: YogaServerInstance<ServerContext, Context>, { services, maxPayload, coalescer, livePushed }: GraphQLSocketsOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const frames = new WsFrames();
  const wsServer = useServer(
    {
      // Close reasons never carry an internal error's text (as with HTTP, errors are masked).
      isProd: true,
      // The operation runs through Yoga's enveloped execute/subscribe, handed over as the root value (prepareSubscription).
      execute: (args) => envelopedOf(args).execute(args),
      subscribe: (args) => envelopedOf(args).subscribe(args),
      // Errors sent to a subscriber (a throw while streaming included) are masked like HTTP's.
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => maskError(e, UNEXPECTED)),
      onSubscribe: async (ctx, id, params) => {
        try {
          return await prepareSubscription(ctx, id, params);
        } catch (error) {
          // e.g. Postgres unreachable while authorizing: the subscriber gets the masked error, the socket stays open.
          return [maskError(error, UNEXPECTED)];
        }
      },
    },
    wss,
  );
  async function prepareSubscription(ctx: WsContext<WsContext['connectionParams'], Extra>, id: string, params: SubscribePayload) {
    const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
      ...ctx,
      req: ctx.extra.request,
      socket: ctx.extra.socket,
      params,
    });
    const authorization = authorizationOf(ctx.connectionParams, params.extensions);
    // Pushed results go out as this subscription's "next" messages while the client still wants them.
    const live = new LivePush(livePushed);
    live.attachWriter(frames.writer(ctx.extra.socket, id, () => id in ctx.subscriptions));
    const root: Enveloped = { execute, subscribe };
    const args = {
      schema: s,
      operationName: params.operationName,
      document: parse(params.query),
      variableValues: params.variables,
      contextValue: { ...(await contextFactory()), ...(await contextFor(authorization, services, ctx.extra.request.socket.remoteAddress ?? null)), live },
      rootValue: root,
    };
    const errors = validate(args.schema, args.document);
    if (errors.length) return errors.map((e: GraphQLError) => maskError(e, e.message));
    return args;
  }
  // Each WebSocket message is two socket writes (header, payload): join them per flush like SSE responses.
  wss.on('connection', (_socket, req) => coalescer.coalesce(req.socket));

  return {
    /** Takes the upgrade when it is for the GraphQL endpoint; false otherwise. */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      if ((req.url ?? '/').split('?')[0] !== yoga.graphqlEndpoint) return false;
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return true;
    },
    /** No new socket is accepted (open ones are left alone). */
    stopAccepting: () => wss.close(),
    /**
     * Shutdown: close(1001, 'Going away') on every socket so clients resubscribe elsewhere with their last seq, then no
     * new one is accepted. Sockets whose client has not answered within graceMs are cut. Resolves once all are gone.
     */
    close: async (graceMs: number) => {
      const sockets = [...wss.clients];
      const gone = Promise.all(sockets.map((socket) => new Promise<void>((resolve) => (socket.readyState === socket.CLOSED ? resolve() : socket.once('close', () => resolve())))));
      const disposed = Promise.resolve(wsServer.dispose()).catch(() => {});
      const cut = setTimeout(() => sockets.forEach((socket) => socket.terminate()), graceMs);
      await Promise.all([gone, disposed]);
      clearTimeout(cut);
    },
  };
}

/** Yoga's enveloped execute and subscribe, carried to graphql-ws's execute/subscribe options as the root value. */
interface Enveloped {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

function envelopedOf(args: ExecutionArgs): Enveloped {
  const root = args.rootValue;
  if (typeof root === 'object' && root !== null && 'execute' in root && 'subscribe' in root) return root as Enveloped;
  throw new Error('graphql-ws operation without its enveloped execute/subscribe (prepareSubscription did not run)');
}

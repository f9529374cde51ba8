// createShipyardClient: an urql Client for the Shipyard API with auth on every request and subscriptions over
// graphql-ws (default) or GraphQL over SSE. Transport-level retries are off: followRun resumes by seq itself, and a
// transport replaying a subscription with its first variables would only resend what was already seen.
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type Exchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';

export type Transport = 'ws' | 'sse';

export interface ShipyardClientOptions {
  /** The GraphQL endpoint, e.g. `http://localhost:4000/graphql` (relative URLs resolve against the page). */
  url: string;
  /** A session or API token, or a function read on every request (so a login can change it). */
  token?: string | null | (() => string | null | undefined);
  /** How subscriptions travel: `ws` (graphql-ws, default) or `sse` (GraphQL over Server-Sent Events). */
  transport?: Transport;
  /** A WebSocket implementation where there is no global one (Node 20: `import WebSocket from 'ws'`). */
  webSocketImpl?: unknown;
  /** Extra exchanges placed before the fetch exchange (e.g. a graphcache). Default: urql's document cache. */
  exchanges?: Exchange[];
}

function absolute(url: string): URL {
  const base = typeof location === 'undefined' ? undefined : location.href;
  return new URL(url, base);
}

export function createShipyardClient(options: ShipyardClientOptions): Client {
  const url = absolute(options.url);
  const token = () => (typeof options.token === 'function' ? options.token() : options.token) ?? null;
  const authHeaders = (): Record<string, string> => {
    const value = token();
    return value ? { authorization: `Bearer ${value}` } : {};
  };

  let forward: Parameters<typeof subscriptionExchange>[0]['forwardSubscription'];
  if (options.transport === 'sse') {
    const sse = createSseClient({ url: url.href, headers: authHeaders, retryAttempts: 0 });
    forward = (request) => ({
      subscribe: (sink) => ({ unsubscribe: sse.subscribe({ ...request, query: request.query ?? '' }, sink) }),
    });
  } else {
    const wsUrl = new URL(url.href);
    wsUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = createWsClient({
      url: wsUrl.href,
      webSocketImpl: options.webSocketImpl,
      connectionParams: () => authHeaders(),
      retryAttempts: 0,
      lazy: true,
    });
    forward = (request) => ({
      subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
    });
  }

  return new Client({
    url: url.href,
    fetchOptions: () => ({ headers: authHeaders() }),
    exchanges: [...(options.exchanges ?? [cacheExchange]), fetchExchange, subscriptionExchange({ forwardSubscription: forward })],
  });
}

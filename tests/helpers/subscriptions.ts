// Subscription clients for tests: GraphQL over SSE (graphql-sse, distinct connections) and graphql-ws.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscription<T> {
  results: Array<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }>;
  /** Resolves when the server completes the subscription (or it errors). */
  done: Promise<void>;
  stop(): void;
  /** graphql-ws only: the close code and reason the socket ended with, once it closed. */
  closed?: { code: number; reason: string };
}

/** A typed document (tests/documents) or, where a test needs one written by hand, a string. */
type Document<T, V> = TypedDocumentNode<T, V> | string;
const text = <T, V>(document: Document<T, V>) => (typeof document === 'string' ? document : print(document));

export function subscribeSse<T = any, V extends Record<string, unknown> = Record<string, unknown>>(url: string, token: string, document: Document<T, V>, variables: V): Subscription<T> {
  const client = createSseClient({ url: `${url}/graphql`, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  return collect(client.iterate({ query: text(document), variables }) as AsyncIterableIterator<any>, () => client.dispose());
}

export function subscribeWs<T = any, V extends Record<string, unknown> = Record<string, unknown>>(url: string, token: string, document: Document<T, V>, variables: V): Subscription<T> {
  let closed: Subscription<T>['closed'];
  const client = createWsClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        const e = event as { code?: number; reason?: unknown };
        closed ??= { code: e.code ?? 0, reason: String(e.reason ?? '') };
      },
    },
  });
  const subscription = collect<T>(client.iterate({ query: text(document), variables }) as AsyncIterableIterator<any>, () => void client.dispose());
  return Object.defineProperty(subscription, 'closed', { get: () => closed });
}

function collect<T>(iterator: AsyncIterableIterator<any>, dispose: () => void): Subscription<T> {
  const results: Subscription<T>['results'] = [];
  const done = (async () => {
    try {
      for await (const result of iterator) results.push(result);
    } catch (error) {
      const errors = Array.isArray(error) ? error : [error];
      results.push({ errors: errors.map((e: any) => ({ message: e?.message ?? String(e), extensions: e?.extensions })) });
    } finally {
      dispose();
    }
  })();
  return {
    results,
    done,
    stop: () => {
      void iterator.return?.();
      dispose();
    },
  };
}

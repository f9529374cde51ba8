// A minimal graphql-ws (graphql-transport-ws protocol) reader for many concurrent benchmark subscribers: one socket,
// one subscription, each "next" payload handed to onData; resolves on "complete". Cheaper than graphql-ws's client,
// for the same reason as sse-reader.ts: the load generator shares the machine with the server being measured.
import WebSocket from 'ws';
import type { SubscriptionReader } from './sse-reader.js';

export const readWs: SubscriptionReader = (url, token, query, variables, onData, signal) => {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const finish = (error?: Error) => {
      signal.removeEventListener('abort', onAbort);
      socket.terminate();
      error ? reject(error) : resolve();
    };
    const onAbort = () => finish();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (raw) => {
      try {
        const message = JSON.parse(raw.toString());
        if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
        else if (message.type === 'next') onData(message.payload);
        else if (message.type === 'complete') finish();
        else if (message.type === 'error') finish(new Error(`subscription error: ${JSON.stringify(message.payload)}`));
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.on('error', (error) => (signal.aborted ? resolve() : finish(error)));
    socket.on('close', () => resolve());
  });
};

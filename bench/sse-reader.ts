// A minimal GraphQL-over-SSE reader (Yoga's distinct-connection mode) for many concurrent benchmark subscribers.
// Plain node:http with a utf8 stream (no fetch/WHATWG streams): 100 readers must cost the load generator little CPU,
// since on a 2-core machine whatever it burns is taken from the API process being measured.
import { setMaxListeners } from 'node:events';
import { request } from 'node:http';

/** Follows one subscription until it completes, handing each result to onData; both readers (SSE, graphql-ws) are one. */
export type SubscriptionReader = (
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  onData: (data: any) => void,
  signal: AbortSignal,
) => Promise<void>;

export const readSse: SubscriptionReader = (url, token, query, variables, onData, signal) => {
  const body = JSON.stringify({ query, variables });
  setMaxListeners(0, signal); // every reader of a run shares one abort signal
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
        },
        signal,
      },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`subscription failed: HTTP ${res.statusCode}`));
        res.setEncoding('utf8');
        let buffer = '';
        let finished = false;
        res.on('data', (chunk: string) => {
          if (finished) return;
          buffer += chunk;
          let start = 0;
          let end: number;
          try {
            while ((end = buffer.indexOf('\n\n', start)) >= 0) {
              const message = buffer.slice(start, end);
              start = end + 2;
              if (message.startsWith('event: complete')) {
                finished = true;
                res.destroy();
                return resolve();
              }
              if (message.startsWith('event: next')) {
                const data = message.indexOf('\ndata: ');
                if (data >= 0) onData(JSON.parse(message.slice(data + 7)));
              }
            }
          } catch (error) {
            finished = true;
            res.destroy();
            return reject(error);
          }
          buffer = buffer.slice(start);
        });
        res.on('end', () => (finished ? undefined : resolve()));
        res.on('error', (error) => (signal.aborted || finished ? resolve() : reject(error)));
      },
    );
    req.on('error', (error) => (signal.aborted ? resolve() : reject(error)));
    req.end(body);
  });
};

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

const BLANK_LINE = Buffer.from('\n\n');
const NEXT = Buffer.from('event: next');
const COMPLETE = Buffer.from('event: complete');
const DATA = Buffer.from('\ndata: ');
const startsAt = (buffer: Buffer, prefix: Buffer, at: number) => at + prefix.length <= buffer.length && buffer.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;

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
        // Bytes, not a utf8 stream: a string reader concatenates and re-slices its buffer per chunk, a cost per event
        // that the raw paths' ioredis readers do not pay (and every reader runs niced, on the cores being measured).
        let rest: Buffer | null = null;
        let finished = false;
        res.on('data', (chunk: Buffer) => {
          if (finished) return;
          const buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
          let start = 0;
          let end: number;
          try {
            while ((end = buffer.indexOf(BLANK_LINE, start)) >= 0) {
              const message = start;
              start = end + 2;
              if (startsAt(buffer, COMPLETE, message)) {
                finished = true;
                res.destroy();
                return resolve();
              }
              if (startsAt(buffer, NEXT, message)) {
                const data = buffer.indexOf(DATA, message);
                if (data >= 0 && data < end) onData(JSON.parse(buffer.toString('utf8', data + DATA.length, end)));
              }
            }
          } catch (error) {
            finished = true;
            res.destroy();
            return reject(error);
          }
          rest = start < buffer.length ? buffer.subarray(start) : null;
        });
        res.on('end', () => (finished ? undefined : resolve()));
        res.on('error', (error) => (signal.aborted || finished ? resolve() : reject(error)));
      },
    );
    req.on('error', (error) => (signal.aborted ? resolve() : reject(error)));
    req.end(body);
  });
};

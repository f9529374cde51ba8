// GraphQL-over-SSE responses for subscriptions (Yoga's distinct-connection format: ":" ping, "event: next" with
// "data: <result>", "event: complete"), sent as one Buffer per result through a plain node Readable. Yoga's own
// processor encodes and enqueues four chunks per result through a WHATWG stream ponyfill, which under many
// subscribers was most of the API's CPU. Results shared between subscribers (see shared-execution.ts) are framed once.
import { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { ResultBatch } from './result-batch.js';
import type { ServerContext } from './server-context.js';

const PING = Buffer.from(':\n\n');
const COMPLETE = Buffer.from('event: complete\ndata:\n\n');
/** Same interval as Yoga's processor: keeps proxies from closing an idle stream. */
const PING_INTERVAL_MS = 12_000;

export function useSseSubscriptionFrames(): Plugin<{}, ServerContext> {
  // One frame per result, shared by every subscriber it was shared with (it dies with the result).
  const frames = new WeakMap<ExecutionResult, Buffer>();
  const frameOf = (result: ExecutionResult): Buffer => {
    let frame = frames.get(result);
    if (!frame) frames.set(result, (frame = Buffer.from(`event: next\ndata: ${resultJson(result)}\n\n`)));
    return frame;
  };
  return {
    onResultProcess({ request, result, resultProcessor, setResultProcessor, serverContext }) {
      // Yoga picked its SSE processor for this stream (the only one it offers for subscription streams): replace it.
      if (!resultProcessor || !isAsyncIterable(result) || !acceptsEventStream(request)) return;
      setResultProcessor(
        (stream, fetchAPI) =>
          new fetchAPI.Response(sseBody((stream as AsyncIterable<ExecutionResult | ResultBatch>)[Symbol.asyncIterator](), frameOf, serverContext) as never, {
            status: 200,
            headers: { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Encoding': 'none' },
          }),
        'text/event-stream',
      );
    },
  };
}

/** Whether this HTTP request's subscription results are framed here. */
function acceptsEventStream(request: Request | undefined): boolean {
  return !!request?.headers?.get?.('accept')?.includes('text/event-stream');
}

/**
 * `res` (the node response the body is piped into), when known, lets pushed results skip the body once it is drained.
 * `livePush`, when the request has one, receives the writer of pushed results, and so lets the results arrive as batches.
 */
function sseBody(iterator: AsyncIterator<ExecutionResult | ResultBatch>, frameOf: (result: ExecutionResult) => Buffer, { res, livePush }: ServerContext): Readable {
  let pulling = false;
  let finished = false;
  const body = new Readable({
    read() {
      if (pulling || finished) return;
      pulling = true;
      iterator.next().then(
        (step) => {
          pulling = false;
          if (finished) return;
          const value = step.value as ExecutionResult | ResultBatch | undefined;
          if (value instanceof ResultBatch) for (const result of value.results) body.push(frameOf(result));
          else if (value != null) body.push(frameOf(value));
          if (step.done) {
            finished = true;
            clearInterval(ping);
            body.push(COMPLETE);
            body.push(null);
          }
        },
        (error) => body.destroy(error as Error),
      );
    },
    destroy(error, callback) {
      finished = true;
      clearInterval(ping);
      Promise.resolve(iterator.return?.()).catch(() => {});
      callback(error);
    },
  });
  // Live results pushed by a parked run stream (live-push.ts) land in the same body, behind everything pulled before.
  /** Whether pushed bytes may go straight to res: the body is flowing with nothing buffered, so all before is in res. */
  const direct = () => res && body.readableFlowing && body.readableLength === 0 && !res.writableNeedDrain && !res.writableEnded;
  const full = () => finished || body.destroyed || body.readableLength >= body.readableHighWaterMark;
  livePush?.attachWriter({
    transport: 'sse',
    framesResultBatches: true,
    write: (results) => {
      if (full()) return false;
      const toRes = direct();
      for (const result of results) toRes ? res!.write(frameOf(result)) : body.push(frameOf(result));
      return true;
    },
    encoded: {
      encode: (results) => (results.length === 1 ? frameOf(results[0]!) : Buffer.concat(results.map(frameOf))),
      write: (bytes) => {
        if (full()) return false;
        direct() ? res!.write(bytes) : body.push(bytes);
        return true;
      },
    },
  });
  const ping = setInterval(() => {
    if (body.readableLength < body.readableHighWaterMark) body.push(PING);
  }, PING_INTERVAL_MS);
  ping.unref();
  body.push(PING); // some clients only see the response once a first byte arrives
  return body;
}

/** The result as Yoga serializes it: without the internal `http`/`unexpected` error extensions. */
function resultJson(result: ExecutionResult): string {
  if (!result.errors?.length && !result.extensions?.http) return JSON.stringify(result);
  const withoutInternals = (extensions: Record<string, unknown> | undefined, internal: string[]) => {
    const kept = Object.fromEntries(Object.entries(extensions ?? {}).filter(([k]) => !internal.includes(k)));
    return Object.keys(kept).length ? kept : undefined;
  };
  return JSON.stringify({
    ...result,
    errors: result.errors?.map((error) => {
      const json = typeof error.toJSON === 'function' ? error.toJSON() : (error as never);
      return { ...json, extensions: withoutInternals(json.extensions, ['http', 'unexpected']) };
    }),
    extensions: withoutInternals(result.extensions, ['http']),
  });
}

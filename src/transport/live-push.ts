// Live push for caught-up subscribers (SSE and graphql-ws). Normally every live event travels to a subscriber through
// a chain of async iterators (run stream → Yoga/envelop wrappers → shared execution → SSE body or graphql-ws): a dozen
// promise hops per event batch per subscriber, most of the API's CPU under many subscribers. While a run stream is
// parked (caught up, waiting for Redis), it may instead hand each live batch straight to the subscriber's transport,
// from the Redis listener, synchronously. The pull chain stays the one path for everything else (replay, holes, async
// authorization, errors, completion, a slow client), and a batch is pushed only when its results are plain data, so
// error masking and ordering are those of the pull path. See src/subscriptions/run-stream.ts for when the stream parks.
//
// One LivePush per subscription (per SSE request, per graphql-ws subscription), created by the transport and carried
// in the request Context as the stream's LiveDelivery. It can push once both halves are attached: the executor (by
// shared-execution.ts, per subscription) and the writer (by sse-frames.ts or ws-frames.ts). Until then, or if a
// plugin that attaches one is not installed, the stream yields everything: slower, never wrong.
import type { ExecutionResult } from 'graphql';
import type { RunEvent } from '../events/types.js';
import type { LiveDelivery, LiveTarget } from '../subscriptions/delivery.js';

type MaybePromise<T> = T | Promise<T>;

type LiveTransport = 'sse' | 'ws';

/** Results pushed so far by one server, per transport (for tests and metrics). */
export type LivePushCounts = Record<LiveTransport, number>;

export const newLivePushCounts = (): LivePushCounts => ({ sse: 0, ws: 0 });

/** How a subscription turns an event into its result (shared-execution.ts). */
export type LiveExecutor = (event: RunEvent) => MaybePromise<ExecutionResult>;

/** Writes results to the subscriber, false when it cannot take them now. */
export interface LiveWriter {
  transport: LiveTransport;
  /** Whether the subscription's pulled items may be ResultBatches (its transport frames them: SSE). */
  framesResultBatches: boolean;
  write(results: ExecutionResult[]): boolean;
  /**
   * For a transport whose bytes for a result are the same for every subscriber that shares the result (SSE, not
   * graphql-ws, whose messages carry the subscription's id): the results as bytes, and a write of such bytes.
   */
  encoded?: { encode(results: ExecutionResult[]): Uint8Array; write(bytes: Uint8Array): boolean };
}

export class LivePush implements LiveDelivery {
  private executor: LiveExecutor | undefined;
  /** Subscriptions with the same key get the same result for the same event (shared-execution.ts). */
  private resultKey: string | undefined;
  private writer: LiveWriter | undefined;
  private pushTarget: LiveTarget | undefined;

  constructor(private readonly counts: LivePushCounts) {}

  attachExecutor(execute: LiveExecutor, resultKey?: string): void {
    this.executor = execute;
    this.resultKey = resultKey;
    this.pushTarget = undefined;
  }

  attachWriter(writer: LiveWriter): void {
    this.writer = writer;
    this.pushTarget = undefined;
  }

  get framesResultBatches(): boolean {
    return this.writer?.framesResultBatches ?? false;
  }

  target(): LiveTarget | undefined {
    const { executor: execute, writer, counts } = this;
    if (!execute || !writer) return undefined;
    const results = (events: RunEvent[]): ExecutionResult[] | null => {
      const out: ExecutionResult[] = [];
      for (const event of events) {
        const result = execute(event);
        // Errors go through the pull path, where Yoga masks them; so does anything not computed synchronously.
        if (result instanceof Promise || result.errors?.length) return null;
        out.push(result);
      }
      return out;
    };
    // The same bytes for every subscriber with this key: one encoding per broadcast batch, one write per subscriber.
    const sharedKey = writer.encoded && this.resultKey !== undefined ? `${writer.transport}|${this.resultKey}` : undefined;
    return (this.pushTarget ??= {
      deliver(events, shared) {
        if (shared && sharedKey !== undefined && writer.encoded) {
          const { encode, write } = writer.encoded;
          const bytes = shared.encoded(sharedKey, () => {
            const out = results(events);
            return out && encode(out);
          });
          if (!bytes || !write(bytes)) return false;
        } else {
          const out = results(events);
          if (!out || !writer.write(out)) return false;
        }
        counts[writer.transport] += events.length;
        return true;
      },
    });
  }
}

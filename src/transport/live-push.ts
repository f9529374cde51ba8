// Live push for caught-up subscribers (SSE and graphql-ws). Normally every live event travels to a subscriber through
// a chain of async iterators (run stream → Yoga/envelop wrappers → shared execution → SSE body or graphql-ws): a dozen
// promise hops per event batch per subscriber, which at 1,000 events/s to 100 subscribers was most of the API's CPU.
// While a run stream is parked (caught up, waiting for Redis), it may instead hand each live batch straight to the
// subscriber's transport, from the Redis listener, synchronously. The pull chain stays the one path for everything else
// (replay, holes, async authorization, errors, completion, a slow client), and a batch is pushed only when its results
// are plain data, so error masking and ordering are those of the pull path. See run-stream.ts for when the stream
// parks and unparks.
import type { ExecutionResult } from 'graphql';
import type { RunEvent } from '../events/types.js';

type MaybePromise<T> = T | Promise<T>;

/** Delivers a batch of live events to one subscriber in full, or refuses it (false) and delivers nothing. */
export interface LiveTarget {
  deliver(events: RunEvent[]): boolean;
}

export type LiveTransport = 'sse' | 'ws';

/** Per subscription (its GraphQL context): how it turns an event into a result (shared-execution.ts). */
const executors = new WeakMap<object, (event: RunEvent) => MaybePromise<ExecutionResult>>();
/**
 * Writes results to the subscriber, false when it cannot take them now. Keyed by the SSE request (sse-frames.ts) or by
 * the graphql-ws subscription's context (ws-frames.ts).
 */
const writers = new WeakMap<object, { transport: LiveTransport; write: (results: ExecutionResult[]) => boolean }>();

/** Results pushed so far, per transport (for tests and metrics). */
export const livePushed: Record<LiveTransport, number> = { sse: 0, ws: 0 };

export function setLiveExecutor(context: object, execute: (event: RunEvent) => MaybePromise<ExecutionResult>): void {
  executors.set(context, execute);
}

export function setLiveWriter(key: object, transport: LiveTransport, write: (results: ExecutionResult[]) => boolean): void {
  writers.set(key, { transport, write });
}

/** The push target of a subscription, when both its execution and its transport support pushing. */
export function liveTargetFor(context: { request?: Request }): LiveTarget | undefined {
  const execute = executors.get(context);
  const writer = writers.get(context) ?? (context.request && writers.get(context.request));
  if (!execute || !writer) return undefined;
  return {
    deliver(events) {
      const results: ExecutionResult[] = [];
      for (const event of events) {
        const result = execute(event);
        // Errors go through the pull path, where Yoga masks them; so does anything not computed synchronously.
        if (result instanceof Promise || result.errors?.length) return false;
        results.push(result);
      }
      if (!writer.write(results)) return false;
      livePushed[writer.transport] += results.length;
      return true;
    },
  };
}

/**
 * Whether an authorization check answers "allowed" without waiting. An answer that needs a query, or a refusal, is
 * left to the pull path, which asks again and awaits it (or ends the stream with the error).
 */
export function allowedNow(authorize: (() => void | Promise<void>) | undefined): boolean {
  try {
    const check = authorize?.();
    if (!check) return true;
    check.catch(() => {});
    return false;
  } catch {
    return false;
  }
}

// Live push for caught-up SSE subscribers. Normally every live event travels to a subscriber through a chain of async
// iterators (run stream → Yoga/envelop wrappers → shared execution → SSE body): a dozen promise hops per event batch
// per subscriber, which at 1,000 events/s to 100 subscribers was most of the API's CPU. While a run stream is parked
// (caught up, waiting for Redis), it may instead hand each live batch straight to the subscriber's SSE body, from the
// Redis listener, synchronously. The pull chain stays the one path for everything else (replay, holes, async
// authorization, errors, completion, a slow client), and a batch is pushed only when its results are plain data, so
// error masking and ordering are those of the pull path. See run-stream.ts for when the stream parks and unparks.
import type { ExecutionResult } from 'graphql';
import type { RunEvent } from './types.js';

type MaybePromise<T> = T | Promise<T>;

/** Delivers a batch of live events to one subscriber in full, or refuses it (false) and delivers nothing. */
export interface LiveTarget {
  deliver(events: RunEvent[]): boolean;
}

/** Per HTTP request: how its subscription turns an event into a result (shared-execution.ts). */
const executors = new WeakMap<Request, (event: RunEvent) => MaybePromise<ExecutionResult>>();
/** Per HTTP request: writes results into its SSE response, false when it cannot take them now (sse-frames.ts). */
const writers = new WeakMap<Request, (results: ExecutionResult[]) => boolean>();

export function setLiveExecutor(request: Request, execute: (event: RunEvent) => MaybePromise<ExecutionResult>): void {
  executors.set(request, execute);
}

export function setLiveWriter(request: Request, write: (results: ExecutionResult[]) => boolean): void {
  writers.set(request, write);
}

/** The push target of a request's subscription, when both its execution and its transport support pushing. */
export function liveTargetFor(request: Request | undefined): LiveTarget | undefined {
  const execute = request && executors.get(request);
  const write = request && writers.get(request);
  if (!execute || !write) return undefined;
  return {
    deliver(events) {
      const results: ExecutionResult[] = [];
      for (const event of events) {
        const result = execute(event);
        // Errors go through the pull path, where Yoga masks them; so does anything not computed synchronously.
        if (result instanceof Promise || result.errors?.length) return false;
        results.push(result);
      }
      return write(results);
    },
  };
}

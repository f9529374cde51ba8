// The contract between a subscription stream and the transport that carries it to the subscriber. A stream always
// works by yielding; when its transport can take live events directly (push), the stream hands caught-up batches to
// it instead, skipping the chain of async iterators between the Redis listener and the socket. The transport
// implements LiveDelivery (src/transport/live-push.ts) and passes it through the request Context (`ctx.live`) or,
// outside GraphQL, as a stream option.
import type { RunEvent } from '../events/types.js';
import type { SharedBatchWork } from '../events/shared-batch-work.js';

/**
 * Delivers a batch of authorized live events to one subscriber in full, now, or refuses it (false) and delivers
 * nothing. `shared` is given only with a whole batch the hub is broadcasting to every subscriber of its channel (never
 * with a part of one): subscribers that would send the same bytes for it encode them once.
 */
export interface LiveTarget {
  deliver(events: RunEvent[], shared?: SharedBatchWork): boolean;
}

/**
 * A subscription's way to its subscriber besides yielding. `target()` answers undefined until the transport can take
 * pushes (its response or socket exists and it knows how to turn an event into the subscriber's result), and always
 * for a transport that cannot push: the stream then yields everything. Asked until it answers.
 */
export interface LiveDelivery {
  target(): LiveTarget | undefined;
}

/**
 * How many of `events`, from the first, the viewer may receive now, asking `authorize` once per event: an answer that
 * needs a query, or a refusal, stops the count (the pull path asks again and awaits it, or ends the stream with the
 * error). With `shared` and a `viewerKey` (viewerKeyOf: the viewer and the role the stream requires), the count is
 * computed once per broadcast batch for every subscriber of that viewer: per event per viewer, not per subscriber.
 */
export function allowedCount(events: RunEvent[], authorize: (() => void | Promise<void>) | undefined, shared?: SharedBatchWork, viewerKey?: string): number {
  const count = () => {
    let allowed = 0;
    while (allowed < events.length && allowedNow(authorize)) allowed++;
    return allowed;
  };
  return shared && viewerKey !== undefined ? shared.count(viewerKey, count) : count();
}

/** The key of a viewer's authorization answers in a SharedBatchWork (made once per stream, not per batch). */
export const viewerKeyOf = (viewer: string) => `allowed|${viewer}`;

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

// The contract between a subscription stream and the transport that carries it to the subscriber. A stream always
// works by yielding; when its transport can take live events directly (push), the stream hands caught-up batches to
// it instead, skipping the chain of async iterators between the Redis listener and the socket. The transport
// implements LiveDelivery (src/transport/live-push.ts) and passes it through the request Context (`ctx.live`) or,
// outside GraphQL, as a stream option.
import type { RunEvent } from '../events/types.js';

/** Delivers a batch of authorized live events to one subscriber in full, now, or refuses it (false) and delivers nothing. */
export interface LiveTarget {
  deliver(events: RunEvent[]): boolean;
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

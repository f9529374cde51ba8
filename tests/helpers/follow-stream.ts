// Follows an event stream (src/subscriptions/run-stream.ts, project-stream.ts) the way a transport does: pushed batches go to
// a target that logs them (unless it is told to refuse), yielded ones are consumed like the SSE body consumes them.
// The log records which path carried each event; a push made while an authorization answer was still awaited is
// recorded in `pushedUnchecked`.
import { abortable } from '../../src/subscriptions/live-buffer.js';
import type { EventBatch } from '../../src/subscriptions/batch.js';
import type { LiveDelivery, LiveTarget } from '../../src/subscriptions/delivery.js';
import type { RunEvent } from '../../src/events/types.js';

/**
 * An authorization check the test steers: allowed; waiting for a query (`answerSlowly`: like the membership cache,
 * every check returns the same pending answer until it arrives); or refused (`forbid`).
 */
export function scriptedAuthorization() {
  let pending: Promise<void> | null = null;
  let forbidden = false;
  return {
    authorize: (): void | Promise<void> => {
      if (forbidden) throw Object.assign(new Error('FORBIDDEN'), { code: 'FORBIDDEN' });
      return pending ?? undefined;
    },
    answerSlowly: () => {
      const answer: Promise<void> = new Promise<void>((r) => setTimeout(r, 20)).then(() => void (pending = pending === answer ? null : pending));
      pending = answer;
    },
    forbid: () => void (forbidden = true),
    unanswered: () => (pending ? 1 : 0),
  };
}

export function follow(
  start: (signal: AbortSignal, live: LiveDelivery) => AsyncGenerator<EventBatch>,
  /** `slowWrites()`: while true, each yielded batch takes 50 ms to be written (the consumer is busy meanwhile). */
  opts: { acceptsPush?: () => boolean; unanswered?: () => number; slowWrites?: () => boolean } = {},
) {
  const log: Array<['push' | 'pull', RunEvent]> = [];
  const pushedUnchecked: RunEvent[] = [];
  const target: LiveTarget = {
    deliver: (events) => {
      if (opts.acceptsPush && !opts.acceptsPush()) return false;
      for (const e of events) log.push(['push', e]);
      if (opts.unanswered?.()) pushedUnchecked.push(...events);
      return true;
    },
  };
  // A stream first asks for its target when it has caught up and is about to wait for live events (parked).
  let askedForTarget = false;
  const stream = abortable((signal) => start(signal, { target: () => ((askedForTarget = true), target) }));
  const done = (async () => {
    for await (const batch of stream) {
      if (opts.slowWrites?.()) await new Promise((r) => setTimeout(r, 50));
      for (const e of batch.events) log.push(['pull', e]);
    }
  })();
  const via = (path: 'push' | 'pull') => log.filter(([p]) => p === path).map(([, e]) => e);
  return { log, done, pushedUnchecked, via, caughtUp: () => askedForTarget, stop: () => stream.return?.() };
}

// Several source events carried through the subscription pipeline as ONE item. Every layer between the run stream and
// the socket (generator, envelop/Yoga wrappers, shared execution, SSE body) costs a few promises per item per
// subscriber; when a subscriber is behind (several events buffered), one item per batch lets it catch up instead of
// falling further behind. A resolver returns the batches wrapped in an EventBatchStream: an executor that knows about
// batches (src/transport/shared-execution.ts) reads `batches`, any other iterates it one RunEvent at a time.
import type { RunEvent } from '../events/types.js';

/** Consecutive events of one stream, in order, already authorized for the subscriber. */
export class EventBatch {
  constructor(readonly events: RunEvent[]) {}
}

/** A stream of EventBatches that iterates as the RunEvents they hold (what a subscription field declares it yields). */
export class EventBatchStream implements AsyncIterable<RunEvent> {
  constructor(readonly batches: AsyncIterableIterator<EventBatch>) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<RunEvent> {
    const batches = this.batches;
    let queued: RunEvent[] = [];
    let head = 0;
    const events: AsyncIterableIterator<RunEvent> = {
      next: async () => {
        while (head >= queued.length) {
          const step = await batches.next();
          if (step.done) return { done: true, value: undefined };
          queued = step.value.events;
          head = 0;
        }
        return { done: false, value: queued[head++]! };
      },
      return: async () => {
        queued = [];
        await batches.return?.();
        return { done: true, value: undefined };
      },
      throw: async (error?: unknown) => {
        queued = [];
        if (batches.throw) await batches.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]: () => events,
    };
    return events;
  }
}

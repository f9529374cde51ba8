// projectEvents: the live events of every run of a project, as they are published (no replay, no dedupe). Like a run
// stream (run-stream.ts), it pushes authorized events straight to the subscriber's transport when it can (delivery.ts):
// by the generator itself, and while it waits by the Redis listener; otherwise it yields them.
import type { EventHub } from '../events/hub.js';
import { EventBatch } from './batch.js';
import { LiveBuffer } from './live-buffer.js';
import { allowedNow, type LiveDelivery, type LiveTarget } from './delivery.js';
import { projectChannel, type RunEvent } from '../events/types.js';
import type { SharedBatchWork } from '../events/shared-batch-work.js';

export async function* streamProjectEvents(opts: {
  hub: EventHub;
  projectId: string;
  signal: AbortSignal;
  authorize?: () => void | Promise<void>;
  live?: LiveDelivery;
}): AsyncGenerator<EventBatch> {
  const { signal, authorize } = opts;
  const buffer = new LiveBuffer<RunEvent>();
  let target: LiveTarget | undefined;
  /** Waiting with nothing buffered and everything yielded consumed: the listener may push (see run-stream.ts). */
  let parked = false;
  const pushed = (events: RunEvent[], shared?: SharedBatchWork) => !!(target ??= opts.live?.target())?.deliver(events, shared);
  // The hub broadcasts each batch to every subscriber of the project: `shared` lets them encode it once.
  const onEvents = (events: RunEvent[], shared: SharedBatchWork) => {
    if (parked && events.every(() => allowedNow(authorize)) && pushed(events, shared)) return;
    parked = false;
    buffer.push(...events);
  };
  signal.addEventListener('abort', () => (parked = false), { once: true });
  const unsubscribe = await opts.hub.subscribe(projectChannel(opts.projectId), onEvents);
  try {
    while (!signal.aborted) {
      const events = buffer.takeAll();
      if (!events.length) {
        parked = (target ??= opts.live?.target()) !== undefined;
        await buffer.wait(30_000, signal);
        parked = false;
        continue;
      }
      let out: RunEvent[] = [];
      for (const event of events) {
        const check = authorize?.();
        if (check) {
          if (out.length && !pushed(out)) yield new EventBatch(out);
          out = [];
          await check;
          if (signal.aborted) return;
        }
        out.push(event);
      }
      if (out.length && !pushed(out)) yield new EventBatch(out);
    }
  } finally {
    unsubscribe();
  }
}

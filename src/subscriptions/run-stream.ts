// src/subscriptions/: the API's live event streams and what guards them: the run stream (this file), the project
// stream, the live buffer, batches, per-event membership checks (access.ts), the per-user cap and revocation
// (subscription-guard.ts), and the delivery contract its transports implement (delivery.ts). It may import
// src/events/, auth and src/db/; never src/transport/ (transports reach it only through LiveDelivery) nor src/schema/.
//
// agentRunEvents: replay seq > afterSeq from Postgres, then tail Redis; dedupe by seq, fill holes from Postgres,
// and end after the run's COMPLETE event — every event exactly once, in order. When the subscriber's transport can
// take them (delivery.ts), events are pushed straight to it instead of being yielded through the iterator chain:
// by the generator itself, and while caught up by the Redis listener.
import type { PrismaClient } from '../generated/prisma/client.js';
import { FINAL_RUN_STATUSES, runChannel, type RunEvent, type RunStatus } from '../events/types.js';
import { loadRunEvents } from '../events/replay.js';
import { LiveBuffer } from './live-buffer.js';
import type { EventHub } from '../events/hub.js';
import { EventBatch } from './batch.js';
import { allowedCount, viewerKeyOf, type LiveDelivery, type LiveTarget } from './delivery.js';
import type { SharedBatchWork } from '../events/shared-batch-work.js';

/** With no live event for this long, Postgres is asked directly (covers lost publishes and Redis outages). */
const IDLE_POLL_MS = 1000;
/** A run final for this long with no COMPLETE event (a crash between the two writes) ends the stream anyway. */
const FINAL_WITHOUT_COMPLETE_GRACE_MS = 5000;
const PAGE = 500;

export interface RunStreamOptions {
  db: PrismaClient;
  hub: EventHub;
  run: { id: string; projectId: string };
  afterSeq: number;
  signal: AbortSignal;
  /** Checked before every event; throws (e.g. FORBIDDEN) to end the stream. Synchronous when it can answer from cache. */
  authorize?: () => void | Promise<void>;
  /**
   * Who `authorize` answers for (the viewer and the role it requires): caught-up streams of the same viewer share one
   * answer per broadcast batch. Without it, every stream asks on its own.
   */
  viewer?: string;
  idlePollMs?: number;
  /** Where events may be pushed instead of yielded (see delivery.ts); asked until it answers. */
  live?: LiveDelivery;
}

/** Yields EventBatches: every authorized event in order, several per item when the subscriber is behind. */
export async function* streamRunEventBatches(opts: RunStreamOptions): AsyncGenerator<EventBatch> {
  const { db, hub, run, signal } = opts;
  const idleMs = opts.idlePollMs ?? IDLE_POLL_MS;
  const buffer = new LiveBuffer<RunEvent>();
  let next = Math.max(0, opts.afterSeq) + 1;
  let completed = false;
  let replaying = true;
  /** Asked for until there is one: the transport registers its writer once the response (or socket) exists. */
  let target: LiveTarget | undefined;
  /**
   * True only while the generator waits caught up, everything it yielded already consumed (a generator resumes only
   * when its consumer asks for more): then, and only then, a live batch may bypass it without overtaking anything.
   * For the same reason the generator itself may push instead of yielding: while it runs, its consumer is waiting.
   */
  let parked = false;
  /** Whether anything was pushed since the stream last started waiting (a flag rather than a clock read per push). */
  let pushedSinceWait = false;
  const viewerKey = opts.viewer === undefined ? undefined : viewerKeyOf(opts.viewer);

  /**
   * While parked: pushes the contiguous, synchronously authorized head of a batch; the rest wakes the pull path.
   * Every caught-up subscriber of the run gets the same batch from the hub, so the authorization answer (per viewer)
   * and the encoded bytes (per document, viewer and transport) are computed once for all of them (`shared`).
   */
  function pushLive(events: RunEvent[], shared: SharedBatchWork): void {
    let from = 0;
    while (from < events.length && events[from]!.seq < next) from++;
    let to = from;
    let expected = next;
    let ends = false;
    // Counted over the whole batch so that subscribers at the same point share it; it covers from..to (to ≤ allowed).
    const whole = from === 0;
    const allowed = allowedCount(events, opts.authorize, whole ? shared : undefined, viewerKey);
    while (to < allowed && !ends && events[to]!.seq === expected) {
      ends = events[to]!.type === 'COMPLETE';
      expected++;
      to++;
    }
    // Only the whole batch is encoded once for all (a part is this subscriber's own).
    if (to > from && (whole && to === events.length ? target!.deliver(events, shared) : target!.deliver(events.slice(from, to)))) {
      next = expected;
      completed = ends;
      pushedSinceWait = true;
      from = to;
    }
    if (from < events.length || completed) {
      parked = false;
      buffer.push(...events.slice(from)); // wakes the generator, which takes it from here (or ends the stream)
    }
  }

  /** Hands authorized events to the subscriber's transport; false when they must be yielded instead. */
  function pushed(events: RunEvent[]): boolean {
    target ??= opts.live?.target();
    if (!target?.deliver(events)) return false;
    pushedSinceWait = true;
    return true;
  }

  // Subscribe before replaying, so an event published during the replay is buffered rather than missed.
  signal.addEventListener('abort', () => (parked = false), { once: true });
  const unsubscribe = await hub.subscribe(runChannel(run.id), (events, shared) => (parked ? pushLive(events, shared) : buffer.push(...events)));

  /** The next events to consider: replay pages, then live batches (holes read from Postgres); null when done. */
  async function nextBatch(): Promise<RunEvent[] | null> {
    while (!completed && !signal.aborted) {
      if (replaying) {
        const page = await loadRunEvents(db, run, { afterSeq: next - 1, limit: PAGE });
        if (page.length < PAGE) replaying = false;
        return page;
      }
      const live = buffer.takeAll();
      if (live.length) {
        live.sort((a, b) => a.seq - b.seq);
        const last = live[live.length - 1]!;
        if (last.seq < next) continue;
        // A seq beyond the next expected one means Redis lost something: read the gap (and the event) from Postgres.
        const contiguous = live[0]!.seq <= next && live.every((e, i) => i === 0 || e.seq <= live[i - 1]!.seq + 1);
        return contiguous ? live : await loadRunEvents(db, run, { afterSeq: next - 1, beforeSeq: last.seq + 1, limit: last.seq - next + 1 });
      }
      target ??= opts.live?.target();
      parked = target !== undefined;
      pushedSinceWait = false;
      const woken = await buffer.wait(idleMs, signal);
      parked = false;
      if (woken) continue;
      if (signal.aborted) break;
      if (pushedSinceWait) continue; // events are flowing through the push path
      const missed = await loadRunEvents(db, run, { afterSeq: next - 1, limit: PAGE });
      if (missed.length) return missed;
      if (await finishedLongAgo(db, run.id)) break;
    }
    return null;
  }

  try {
    // One flat loop (no nested generator per batch): this runs once per batch per subscriber.
    for (let batch = await nextBatch(); batch; batch = await nextBatch()) {
      let out: RunEvent[] = [];
      for (const event of batch) {
        if (event.seq !== next || completed || signal.aborted) continue;
        let check: void | Promise<void>;
        try {
          check = opts.authorize?.();
        } catch (error) {
          if (out.length && !pushed(out)) yield new EventBatch(out);
          throw error;
        }
        if (check) {
          // Everything authorized so far goes out before the answer (which may end the stream) is awaited.
          if (out.length && !pushed(out)) yield new EventBatch(out);
          out = [];
          await check;
        }
        next = event.seq + 1;
        if (event.type === 'COMPLETE') completed = true;
        out.push(event);
      }
      if (out.length && !pushed(out)) yield new EventBatch(out);
    }
  } finally {
    unsubscribe();
  }
}

async function finishedLongAgo(db: PrismaClient, runId: string): Promise<boolean> {
  const row = await db.agentRun.findUnique({ where: { id: runId }, select: { status: true, finishedAt: true } });
  if (!row) return true;
  if (!FINAL_RUN_STATUSES.includes(row.status as RunStatus)) return false;
  return !row.finishedAt || Date.now() - row.finishedAt.getTime() > FINAL_WITHOUT_COMPLETE_GRACE_MS;
}

// Subscription streams write at least one chunk per event (or batch) per subscriber; at thousands of events per second
// that is a syscall storm, and each res.write of a chunked HTTP response costs four socket writes of its own (size,
// data, CRLF framing). So SSE responses, and the sockets of WebSocket connections (each WebSocket message is a header
// and a payload write), hand their chunks to the server's WriteCoalescer instead: every stream's chunks since the
// last flush are joined into ONE write, for all waiting streams at once, at the next check phase (one joined write
// costs far less CPU than the same frames written separately, even under cork).
// When the event loop is busy (utilization above BUSY_ABOVE over the last LOOP_SAMPLE_MS), flushes are also spaced by
// the window (SHIPYARD_SSE_FLUSH_MS), so that a connection gets at most one write per window whatever the event rate;
// an idle process never waits. A write with a callback (or an encoding) is not held: what waits goes first, then it
// is written as is.
import { performance } from 'node:perf_hooks';

/** Hysteresis: flushes are spaced once utilization exceeds BUSY_ABOVE, and again immediate below BUSY_BELOW. */
const BUSY_ABOVE = 0.5;
const BUSY_BELOW = 0.3;
const LOOP_SAMPLE_MS = 50;

type Write = (chunk: Uint8Array) => boolean;

/** What can be coalesced: an http.ServerResponse or a net.Socket. */
export interface CoalescableStream {
  write(chunk: unknown, ...rest: unknown[]): boolean;
  end(...args: unknown[]): unknown;
  readonly writableNeedDrain: boolean;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/** One per coalesced stream, reused from flush to flush (this runs per event per subscriber: allocate little). */
interface Pending {
  res: CoalescableStream;
  write: Write;
  chunks: Uint8Array[];
}

/** Takes a stream's waiting chunks as one chunk. */
function take(pending: Pending): Uint8Array {
  const { chunks } = pending;
  const chunk = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  chunks.length = 0;
  return chunk;
}

/** Writes this stream's waiting chunks now (before anything that must follow them). */
function flushOne(pending: Pending): void {
  if (pending.chunks.length) pending.write(take(pending));
}

/** The flusher of one server: every stream it coalesces is flushed together. */
export class WriteCoalescer {
  /** Streams with chunks waiting, in the order they first got one. */
  private waiting: Pending[] = [];
  private flushing: Pending[] = [];
  private scheduled = false;
  private lastFlush = -Infinity;
  private loop = performance.eventLoopUtilization();
  private loopSampledAt = performance.now();
  private busy = false;
  private readonly flushAll = () => this.flush();

  /** `windowMs`: the spacing of flushes while the loop is busy (SHIPYARD_SSE_FLUSH_MS). */
  constructor(private readonly windowMs: number) {}

  /** Whether the event loop has recently been busy enough that writes are worth spacing out. */
  loopIsBusy(): boolean {
    const now = performance.now();
    if (now - this.loopSampledAt >= LOOP_SAMPLE_MS) {
      const sample = performance.eventLoopUtilization();
      const utilization = performance.eventLoopUtilization(sample, this.loop).utilization;
      this.busy = this.busy ? utilization > BUSY_BELOW : utilization > BUSY_ABOVE;
      this.loop = sample;
      this.loopSampledAt = now;
    }
    return this.busy;
  }

  coalesce(res: CoalescableStream, windowMs = this.windowMs): void {
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => unknown;
    const pending: Pending = { res, write: write as Write, chunks: [] };
    res.write = ((chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
      // Anything but a plain byte chunk (a string, a callback) is written as is, after what is already waiting.
      if (!(chunk instanceof Uint8Array) || encodingOrCallback !== undefined || callback !== undefined || res.writableEnded) {
        flushOne(pending);
        return write(chunk, encodingOrCallback, callback);
      }
      if (!pending.chunks.length) this.waiting.push(pending);
      pending.chunks.push(chunk);
      this.schedule(windowMs);
      // Backpressure as the socket sees it: false only when res will emit 'drain'.
      return !res.writableNeedDrain;
    }) as CoalescableStream['write'];
    res.end = ((...args: unknown[]) => {
      flushOne(pending);
      return end(...args);
    }) as CoalescableStream['end'];
    res.once('close', () => void (pending.chunks.length = 0));
  }

  private schedule(windowMs: number): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.loopIsBusy() ? this.lastFlush + windowMs - performance.now() : 0;
    if (wait >= 1) setTimeout(this.flushAll, wait);
    else setImmediate(this.flushAll);
  }

  private flush(): void {
    this.scheduled = false;
    this.lastFlush = performance.now();
    [this.flushing, this.waiting] = [this.waiting, this.flushing];
    for (const pending of this.flushing) {
      if (!pending.chunks.length) continue; // flushed on its own (flushOne) since
      const chunk = take(pending);
      if (!pending.res.writableEnded && !pending.res.destroyed) pending.write(chunk);
    }
    this.flushing.length = 0;
  }
}

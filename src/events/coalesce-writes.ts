// Subscription streams write at least one chunk per event (or batch) per subscriber; at thousands of events per second
// that is a syscall storm, and each res.write of a chunked HTTP response costs four socket writes of its own (size,
// data, CRLF framing). So SSE responses hand their chunks to one process-wide flusher instead: every response's chunks
// since the last flush are joined into ONE res.write, for all waiting responses at once, at the next check phase
// when nothing was flushed in the last SSE_FLUSH_MS, else SSE_FLUSH_MS after the previous flush. A lone event goes out
// at once; whatever the event rate, a connection gets at most one write per SSE_FLUSH_MS. Measured on loopback with
// 100 connections: one joined write costs half the CPU of the same frames written separately under cork.
import type { ServerResponse } from 'node:http';

export const SSE_FLUSH_MS = Number(process.env.SHIPYARD_SSE_FLUSH_MS ?? 4);

type Write = (chunk: Uint8Array) => boolean;

/** Responses with chunks waiting, in the order they first got one. */
const waiting = new Map<ServerResponse, { write: Write; chunks: Uint8Array[] }>();
let scheduled = false;
let lastFlush = -Infinity;

const joined = (chunks: Uint8Array[]) => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));

function flushAll(): void {
  scheduled = false;
  lastFlush = performance.now();
  const responses = [...waiting];
  waiting.clear();
  for (const [res, { write, chunks }] of responses) if (!res.writableEnded && !res.destroyed) write(joined(chunks));
}

function schedule(windowMs: number): void {
  if (scheduled) return;
  scheduled = true;
  const wait = lastFlush + windowMs - performance.now();
  if (wait >= 1) setTimeout(flushAll, wait);
  else setImmediate(flushAll);
}

/** Writes this response's waiting chunks now (before anything that must follow them). */
function flushOne(res: ServerResponse): void {
  const entry = waiting.get(res);
  if (!entry) return;
  waiting.delete(res);
  entry.write(joined(entry.chunks));
}

export function coalesceWrites(res: ServerResponse, windowMs = SSE_FLUSH_MS): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    // Anything but a plain byte chunk (a string, a callback) is written as is, after what is already waiting.
    if (!(chunk instanceof Uint8Array) || rest.length || res.writableEnded) {
      flushOne(res);
      return write(chunk, ...rest);
    }
    const entry = waiting.get(res);
    if (entry) entry.chunks.push(chunk);
    else waiting.set(res, { write: write as Write, chunks: [chunk] });
    schedule(windowMs);
    // Backpressure as the socket sees it: false only when res will emit 'drain'.
    return !res.writableNeedDrain;
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    flushOne(res);
    return end(...args);
  }) as ServerResponse['end'];
  res.once('close', () => waiting.delete(res));
}

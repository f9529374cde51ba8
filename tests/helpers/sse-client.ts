// A minimal Server-Sent Events reader over fetch for tests: frames as they arrive, and a way to drop the connection.
import { sseFrames, type SseFrame } from '../../cli/sse-frames.js';

export interface SseConnection {
  status: number;
  frames: SseFrame[];
  /** Resolves when the server ends the stream (or the connection is dropped). */
  ended: Promise<void>;
  /** Resolves once at least n frames arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<SseFrame[]>;
  drop(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const frames: SseFrame[] = [];
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  const ended = (async () => {
    if (!response.body) return;
    try {
      for await (const frame of sseFrames(response.body)) {
        frames.push(frame);
        notify();
      }
    } catch {
      // dropped
    } finally {
      notify();
    }
  })();
  let done = false;
  void ended.then(() => (done = true));
  return {
    status: response.status,
    frames,
    ended,
    async waitFor(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (frames.length < n) {
        if (done) throw new Error(`stream ended after ${frames.length} of ${n} frames`);
        if (Date.now() > deadline) throw new Error(`only ${frames.length} of ${n} frames in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return frames;
    },
    drop: () => controller.abort(),
  };
}

// Subscription streams write at least one chunk per event (or batch) per subscriber; at thousands of events per second
// that is a syscall storm (each write to a socket costs tens of microseconds, more than producing the frame). A
// response's writes are corked and sent as one writev: at the next check phase when the connection has been quiet for
// SSE_FLUSH_MS, otherwise SSE_FLUSH_MS after its previous send. A lone event goes out at once; a stream sends at most one
// writev per connection per SSE_FLUSH_MS, whatever the event rate.
import type { ServerResponse } from 'node:http';

export const SSE_FLUSH_MS = Number(process.env.SHIPYARD_SSE_FLUSH_MS ?? 4);

export function coalesceWrites(res: ServerResponse, windowMs = SSE_FLUSH_MS): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  let corked = false;
  let lastSend = -Infinity;
  const uncork = () => {
    corked = false;
    lastSend = performance.now();
    res.uncork();
  };
  res.write = ((...args: unknown[]) => {
    if (!corked && !res.writableEnded) {
      corked = true;
      res.cork();
      const wait = lastSend + windowMs - performance.now();
      if (wait >= 1) setTimeout(uncork, wait);
      else setImmediate(uncork);
    }
    return write(...args);
  }) as ServerResponse['write'];
}

// Subscription streams write at least one chunk per event (or batch) per subscriber; at thousands of events per second
// that is a syscall storm. Corking the response until the event loop's next check phase sends everything written in one turn
// (all subscribers' events of one Redis batch) as one writev per connection, for at most one loop turn of delay.
import type { ServerResponse } from 'node:http';

export function coalesceWrites(res: ServerResponse): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  res.write = ((...args: unknown[]) => {
    if (!corked && !res.writableEnded) {
      corked = true;
      res.cork();
      setImmediate(uncork);
    }
    return write(...args);
  }) as ServerResponse['write'];
}

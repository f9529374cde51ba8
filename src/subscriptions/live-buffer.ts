// Buffers events pushed by a Redis listener until an async consumer takes them; bounded so a slow consumer cannot
// grow memory without limit (the run stream recovers dropped events from Postgres).
export class LiveBuffer<T> {
  private items: T[] = [];
  private waiter: ((value: boolean) => void) | null = null;
  // One timer and one abort listener per buffer, re-armed per wait: a wait per live event per subscriber must not
  // create a timer and an event listener each time (that is events × subscribers of them, at the rate bench:events drives).
  private timer: NodeJS.Timeout | null = null;
  private timerMs = 0;
  private watched: AbortSignal | null = null;
  dropped = 0;

  constructor(private readonly max = 10_000) {}

  push(...items: T[]): void {
    for (const item of items) {
      if (this.items.length >= this.max) {
        this.items.shift();
        this.dropped++;
      }
      this.items.push(item);
    }
    this.settle(true);
  }

  takeAll(): T[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  /** Resolves true when an item is buffered, false after `timeoutMs` or when `signal` aborts. */
  wait(timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.items.length) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    if (this.watched !== signal) {
      this.watched = signal;
      signal.addEventListener('abort', () => this.settle(false), { once: true });
    }
    if (this.timer && this.timerMs === timeoutMs) this.timer.refresh();
    else {
      if (this.timer) clearTimeout(this.timer);
      this.timerMs = timeoutMs;
      this.timer = setTimeout(() => this.settle(false), timeoutMs);
      this.timer.unref();
    }
    this.settle(false); // a previous waiter (if any) is superseded
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private settle(value: boolean): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = null;
    waiter(value);
  }
}

/**
 * Wraps an async generator so that return() (a client unsubscribing) takes effect even while the generator awaits:
 * the signal aborts first, which ends any pending wait, then the generator is closed.
 */
export function abortable<T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const generator = start(controller.signal);
  const iterator: AsyncIterableIterator<T> = {
    next: () => generator.next(),
    async return(value?: unknown) {
      controller.abort();
      await generator.return(value as never).catch(() => undefined);
      return { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      controller.abort();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

// Buffers events pushed by a Redis listener until an async consumer takes them; bounded so a slow consumer cannot
// grow memory without limit (the run stream recovers dropped events from Postgres).
export class LiveBuffer<T> {
  private items: T[] = [];
  private wake: (() => void) | null = null;
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
    this.wake?.();
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
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = null;
        resolve(value);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => done(true);
    });
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

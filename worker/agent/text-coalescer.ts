// Streams assistant text as TEXT events without one event per token: deltas are buffered and emitted every
// interval, when a block ends, or when the buffer grows large.
export class TextCoalescer {
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly emit: (text: string) => void,
    private readonly intervalMs = 100,
    private readonly maxChars = 4_000,
  ) {}

  push(delta: string): void {
    this.buffer += delta;
    if (this.buffer.length >= this.maxChars) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer) return;
    const text = this.buffer;
    this.buffer = '';
    this.emit(text);
  }
}

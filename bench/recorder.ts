// What a benchmark subscriber process records per delivery, kept in typed arrays off the JS heap. At 100,000
// deliveries/s, growing JS arrays of numbers add copying and old-space growth to the load generator's own GC, and a
// pause there makes every subscriber of the process late at once, in both paths' latency. (No latency change could be
// told apart from this 2-core VM's noise; the readers' remaining GC comes from parsing what they receive.)

/** A growable column of numbers stored off the JS heap. */
class Column<T extends Float64Array | Int32Array> {
  length = 0;
  constructor(private data: T) {}

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  toArray(): number[] {
    return Array.from(this.data.subarray(0, this.length));
  }
}

/** The plain form sent to the parent process over IPC. */
export interface Tally {
  latencies: number[];
  /** The seq of each latency sample, to split Shipyard's latency at the PUBLISH. */
  latencySeqs: number[];
  /** Per subscriber: the seqs received, in arrival order. */
  received: number[][];
  lastArrival: number;
}

export class Recorder {
  private latencies = new Column(new Float64Array(1 << 16));
  private latencySeqs = new Column(new Int32Array(1 << 16));
  private received: Column<Int32Array>[];
  lastArrival = 0;

  constructor(readonly subscribers: number) {
    this.received = Array.from({ length: subscribers }, () => new Column(new Int32Array(1 << 12)));
  }

  /** A delivery of `seq` to subscriber `i` at `now`; `latency` is null for events sent unmeasured (warm-up). */
  record(i: number, seq: number, now: number, latency: number | null): void {
    this.received[i]!.push(seq);
    if (latency !== null) {
      this.latencies.push(latency);
      this.latencySeqs.push(seq);
    }
    this.lastArrival = now;
  }

  /** The fewest and most events any subscriber has received. */
  progress(): { min: number; max: number } {
    let min = Infinity;
    let max = 0;
    for (const column of this.received) {
      min = Math.min(min, column.length);
      max = Math.max(max, column.length);
    }
    return { min: this.received.length ? min : 0, max };
  }

  tally(): Tally {
    return {
      latencies: this.latencies.toArray(),
      latencySeqs: this.latencySeqs.toArray(),
      received: this.received.map((column) => column.toArray()),
      lastArrival: this.lastArrival,
    };
  }
}

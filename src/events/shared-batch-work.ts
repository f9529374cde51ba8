// Work that every local subscriber of one published batch would otherwise repeat: an authorization answer per viewer
// and role, an encoded frame per document, viewer and transport. The hub hands one SharedBatchWork with each batch to
// every listener of its channel (a per-run broadcast): the first subscriber that needs an answer computes it, the
// others reuse it. It lives as long as the batch's dispatch.
export class SharedBatchWork {
  private readonly counts = new Map<string, number>();
  private readonly encodings = new Map<string, Uint8Array | null>();

  /** A number computed once per key for this batch (e.g. how many of its events a viewer may receive now). */
  count(key: string, compute: () => number): number {
    let value = this.counts.get(key);
    if (value === undefined) this.counts.set(key, (value = compute()));
    return value;
  }

  /** Bytes computed once per key for this batch; null when they cannot be shared (computed once too). */
  encoded(key: string, compute: () => Uint8Array | null): Uint8Array | null {
    let value = this.encodings.get(key);
    if (value === undefined) this.encodings.set(key, (value = compute()));
    return value;
  }
}

/** The integers from `from` to `to`, both included (expected seq runs). */
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// Registers an afterAll that runs what a test file deferred, last first (a client before the database it uses).
import { afterAll } from 'vitest';

export type Defer = (cleanup: () => Promise<unknown> | unknown) => void;

export function useCleanups(): Defer {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return (cleanup) => void cleanups.push(cleanup);
}

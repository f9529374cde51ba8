// The shape of every `use…` helper of the kit: a resource a test file (or describe block) shares, started by beforeAll
// and closed by afterAll. The returned object is empty until beforeAll has run, then holds the resource's fields.
import { afterAll, beforeAll } from 'vitest';

export function useResource<T extends object>(start: () => Promise<T>, close: (resource: T) => Promise<unknown> | unknown, startTimeoutMs?: number): T {
  const resource = {} as T;
  let started = false;
  beforeAll(async () => {
    Object.assign(resource, await start());
    started = true;
  }, startTimeoutMs);
  afterAll(async () => {
    if (started) await close(resource);
  });
  return resource;
}

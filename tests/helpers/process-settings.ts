// The one place a test changes this process's environment, and puts it back. The API and the worker processes the
// kit starts take their settings as parameters (api.ts, stack.ts); code that a test runs in-process below them (the
// agent runtime, pricing) reads config(), which is built from this process's environment, and a test of what leaks
// from the worker's environment into an agent's commands needs it set for real.
import { afterAll, beforeAll } from 'vitest';
import { resetModelClient } from '../../worker/agent/runtime.js';

/** `undefined` removes a variable. */
export type EnvChanges = Record<string, string | undefined>;

/** Applies the changes; the returned function restores what was there before. */
export function applyEnv(changes: EnvChanges): () => void {
  const before = Object.fromEntries(Object.keys(changes).map((name) => [name, process.env[name]]));
  const put = (values: EnvChanges) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    // The runtime keeps one model client per process, built from ANTHROPIC_* and SHIPYARD_API_*.
    resetModelClient();
  };
  put(changes);
  return () => put(before);
}

/** Runs `body` with the changes applied, then restores the environment. */
export async function withEnv<T>(changes: EnvChanges, body: () => Promise<T> | T): Promise<T> {
  const restore = applyEnv(changes);
  try {
    return await body();
  } finally {
    restore();
  }
}

/** Registers hooks that apply `settings()` for the whole file or describe block (computed when it starts). */
export function useProcessSettings(settings: () => EnvChanges): void {
  let restore: (() => void) | undefined;
  beforeAll(() => {
    restore = applyEnv(settings());
  });
  afterAll(() => restore?.());
}

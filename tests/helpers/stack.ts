// A whole Shipyard for a test file, registered as its hooks: the real API in-process (its own database, queue and
// workspaces directory), a signed-up owner, and worker processes that join the API's instance through their
// environment. The returned object is filled in by beforeAll.
import { afterAll, beforeAll } from 'vitest';
import { signUp, startTestApi, type Settings, type TestApi, type TestApiOptions } from './api.js';
import { startScriptedWorker, startWorkerProcess, type Proc } from './processes.js';
import type { User } from './foundation.js';
import { useResource } from './resource.js';

type WorkerKind = 'scripted' | 'real';

export interface StackOptions {
  api?: TestApiOptions;
  /** Worker processes started with the API: scripted (tests/helpers/scripted-worker.ts) or real (worker/index.ts). */
  workers?: { kind: WorkerKind; count?: number; settings?: () => Settings };
  /** The owner's name (sign-up). */
  owner?: string;
}

export interface Stack {
  api: TestApi;
  owner: User;
  workers: Proc[];
  /** Starts one more worker process on this instance; it is killed with the stack. */
  startWorker(kind: WorkerKind, settings?: Settings): Promise<Proc>;
}

export function useStack(opts: StackOptions = {}): Stack {
  const stack = { workers: [] as Proc[] } as Stack;
  stack.startWorker = async (kind, settings = {}) => {
    const env = { ...stack.api.instanceEnv, ...settings };
    const worker = await (kind === 'scripted' ? startScriptedWorker(env) : startWorkerProcess(env));
    stack.workers.push(worker);
    return worker;
  };
  beforeAll(async () => {
    stack.api = await startTestApi(opts.api);
    const { kind, count = 1, settings } = opts.workers ?? { kind: 'scripted', count: 0 };
    const workers = Promise.all(Array.from({ length: count }, () => stack.startWorker(kind, settings?.())));
    stack.owner = await signUp(stack.api, opts.owner ?? 'owner');
    await workers;
  }, 90_000);
  afterAll(async () => {
    await Promise.all(stack.workers.map((w) => w.stop('SIGKILL')));
    await stack.api?.close();
  });
  return stack;
}

/** Registers a test file's hooks for the API alone (no user, no worker). */
export const useTestApi = (opts: TestApiOptions = {}): TestApi => useResource(() => startTestApi(opts), (api) => api.close(), 60_000);

// A Shipyard made only of processes, as an operator runs it, registered as a test file's hooks: the API process
// (src/server.ts) and the production worker process on an instance of their own. Filled in by beforeAll; on
// afterAll both are killed, the queue removed and the database dropped.
import { Queue } from 'bullmq';
import { afterAll, beforeAll } from 'vitest';
import { createRedis } from '../../src/redis.js';
import { createTestInstance, type Settings, type TestInstance } from './api.js';
import { freePort, startApiProcess, startWorkerProcess, type Proc } from './processes.js';

export interface ProcessStack {
  instance: TestInstance;
  api: Proc & { url: string };
  worker: Proc;
}

export function useProcessStack(opts: { settings?: Settings; workerSettings?: () => Settings | Promise<Settings> } = {}): ProcessStack {
  const stack = {} as ProcessStack;
  beforeAll(async () => {
    stack.instance = await createTestInstance();
    const env = { ...stack.instance.instanceEnv, ...opts.settings };
    [stack.api, stack.worker] = await Promise.all([startApiProcess(env, await freePort()), startWorkerProcess({ ...env, ...(await opts.workerSettings?.()) })]);
  }, 90_000);
  afterAll(async () => {
    await stack.worker?.stop('SIGKILL');
    await stack.api?.stop('SIGKILL');
    if (!stack.instance) return;
    const redis = createRedis();
    const queue = new Queue(stack.instance.queueName, { connection: redis });
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    redis.disconnect();
    await stack.instance.remove();
  });
  return stack;
}

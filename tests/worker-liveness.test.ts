// Worker liveness: heartbeats in Redis, /ready's worker count, and the one STATUS event of a run waiting with no worker.
import { describe, expect, it } from 'vitest';
import { gqlOk } from './helpers/api.js';
import { createProject, startAgentRun } from './helpers/foundation.js';
import { until, type Proc } from './helpers/processes.js';
import { useStack } from './helpers/stack.js';
import { AgentRunStatusEventsDocument as RUN } from './generated/graphql.js';
import { NO_WORKER_MESSAGE } from '../src/runs/no-worker-notice.js';

const stack = useStack({ api: { settings: { SHIPYARD_NO_WORKER_CHECK_MS: '200' } } });
let worker: Proc | undefined;

const ready = async (query = '') => {
  const response = await fetch(`${stack.api.url}/ready${query}`);
  return { status: response.status, body: await response.json() };
};

describe('worker liveness', () => {
  it('reports no worker, tells a waiting run so once, then runs it when a worker comes', async () => {
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', workers: 0 } });
    expect(await ready('?require=worker')).toEqual({ status: 503, body: { status: 'not ready', reason: 'no live worker', workers: 0 } });

    const project = await createProject(stack.api, stack.owner, 'Live', JSON.stringify({ sessions: 1, eventsPerSession: 2 }));
    const runId = await startAgentRun(stack.api, stack.owner, project.id);
    const notices = async () =>
      ((await gqlOk(stack.api, RUN, { id: runId }, stack.owner.token)).agentRun!.events as Array<{ type: string; payload: { message?: string } }>).filter(
        (e) => e.type === 'STATUS' && e.payload.message === NO_WORKER_MESSAGE,
      );
    await until(async () => (await notices()).length > 0, 10_000, 'the no-worker notice');
    // Several more checks pass (every 200 ms) while the run still waits: still one notice.
    await new Promise((r) => setTimeout(r, 1200));
    expect(await notices()).toHaveLength(1);

    worker = await stack.startWorker('scripted');
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', workers: 1 } });
    expect((await ready('?require=worker')).status).toBe(200);
    await until(async () => (await gqlOk(stack.api, RUN, { id: runId }, stack.owner.token)).agentRun!.status === 'SUCCEEDED', 20_000, 'the run to finish');

    await worker.stop('SIGTERM');
    worker = undefined;
    expect((await ready()).body.workers).toBe(0);
  }, 60_000);
});

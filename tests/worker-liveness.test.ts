// Worker liveness: heartbeats in Redis, /ready's worker count, and the one STATUS event of a run waiting with no worker.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { gqlOk, signUp, startTestApi, type TestApi } from './helpers/api.js';
import { startScriptedWorker, until, type Proc } from './helpers/processes.js';
import { NO_WORKER_MESSAGE } from '../src/runs/no-worker-notice.js';

const queueName = `shipyard-test-liveness-${randomBytes(4).toString('hex')}`;
process.env.SHIPYARD_QUEUE = queueName;
process.env.SHIPYARD_NO_WORKER_CHECK_MS = '200';

let api: TestApi;
let owner: { token: string };
let worker: Proc | undefined;

beforeAll(async () => {
  api = await startTestApi();
  owner = await signUp(api, 'owner');
}, 60_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  const queue = new Queue(queueName, { connection: api.services.redis });
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  await api?.close();
});

const ready = async (query = '') => {
  const response = await fetch(`${api.url}/ready${query}`);
  return { status: response.status, body: await response.json() };
};

const RUN = `query($id: ID!) { agentRun(id: $id) { status events(afterSeq: 0, first: 100) { type payload } } }`;

describe('worker liveness', () => {
  it('reports no worker, tells a waiting run so once, then runs it when a worker comes', async () => {
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', workers: 0 } });
    expect(await ready('?require=worker')).toEqual({ status: 503, body: { status: 'not ready', reason: 'no live worker', workers: 0 } });

    const project = await gqlOk(api, `mutation { createProject(input: { name: "Live", appSpec: "{\\"sessions\\":1,\\"eventsPerSession\\":2}" }) { id } }`, {}, owner.token);
    const runId = (await gqlOk(api, `mutation($i: StartAgentRunInput!) { startAgentRun(input: $i) { id } }`, { i: { projectId: project.createProject.id } }, owner.token))
      .startAgentRun.id;
    const notices = async () =>
      ((await gqlOk(api, RUN, { id: runId }, owner.token)).agentRun.events as Array<{ type: string; payload: { message?: string } }>).filter(
        (e) => e.type === 'STATUS' && e.payload.message === NO_WORKER_MESSAGE,
      );
    await until(async () => (await notices()).length > 0, 10_000, 'the no-worker notice');
    // Several more checks pass (every 200 ms) while the run still waits: still one notice.
    await new Promise((r) => setTimeout(r, 1200));
    expect(await notices()).toHaveLength(1);

    worker = await startScriptedWorker({ DATABASE_URL: api.databaseUrl, SHIPYARD_QUEUE: queueName });
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', workers: 1 } });
    expect((await ready('?require=worker')).status).toBe(200);
    await until(async () => (await gqlOk(api, RUN, { id: runId }, owner.token)).agentRun.status === 'SUCCEEDED', 20_000, 'the run to finish');

    await worker.stop('SIGTERM');
    worker = undefined;
    expect((await ready()).body.workers).toBe(0);
  }, 60_000);
});

// No silent weakening: a worker with SHIPYARD_SANDBOX=off says so in its start log and in every run's first STATUS
// event; a worker that cannot run bubblewrap says at start that it refuses agent runs, and why.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxProvider } from '../worker/sandbox/provider.js';
import { readSandboxSettings } from '../worker/sandbox/settings.js';
import { gqlOk, signUp, startTestApi, type TestApi } from './helpers/api.js';
import { startScriptedWorker, until, type Proc } from './helpers/processes.js';

const queueName = `shipyard-test-sandbox-modes-${randomBytes(4).toString('hex')}`;
process.env.SHIPYARD_QUEUE = queueName;

let api: TestApi;
let owner: { token: string };
const workers: Proc[] = [];

beforeAll(async () => {
  api = await startTestApi();
  owner = await signUp(api, 'owner');
}, 60_000);

afterAll(async () => {
  for (const worker of workers) await worker.stop('SIGKILL');
  const queue = new Queue(queueName, { connection: api.services.redis });
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  await api?.close();
});

const RUN = `query($id: ID!) { agentRun(id: $id) { status events(afterSeq: 0, first: 100) { type payload } } }`;

describe('sandbox modes', () => {
  it('SHIPYARD_SANDBOX=off: the worker log and the run\'s first STATUS event say commands run unsandboxed', async () => {
    const worker = await startScriptedWorker({ DATABASE_URL: api.databaseUrl, SHIPYARD_QUEUE: queueName, SHIPYARD_SANDBOX: 'off', LOG_LEVEL: 'info' });
    workers.push(worker);
    await until(() => /SHIPYARD_SANDBOX=off: agents' commands run UNSANDBOXED/.test(worker.output()), 10_000, 'the start log about the sandbox');
    const project = await gqlOk(api, `mutation { createProject(input: { name: "Off", appSpec: "{\\"sessions\\":1,\\"eventsPerSession\\":1}" }) { id } }`, {}, owner.token);
    const runId = (await gqlOk(api, `mutation($i: StartAgentRunInput!) { startAgentRun(input: $i) { id } }`, { i: { projectId: project.createProject.id } }, owner.token)).startAgentRun.id;
    const run = await until(async () => {
      const r = (await gqlOk(api, RUN, { id: runId }, owner.token)).agentRun;
      return r.status === 'SUCCEEDED' ? r : undefined;
    }, 20_000, 'the run to finish');
    const statuses = (run.events as Array<{ type: string; payload: { message?: string } }>).filter((e) => e.type === 'STATUS');
    expect(statuses[0].payload.message).toMatch(/commands run UNSANDBOXED on this worker \(SHIPYARD_SANDBOX=off\)/);
    await worker.stop('SIGTERM');
  }, 60_000);

  it('a provider with the sandbox on reports bubblewrap here, and refuses to open sessions where it cannot run', () => {
    expect(new SandboxProvider(readSandboxSettings({})).availability().kind).toBe('bwrap');
    const off = new SandboxProvider(readSandboxSettings({ SHIPYARD_SANDBOX: 'off' }));
    expect(off.availability()).toEqual({ kind: 'off' });
    expect(off.open('/tmp').sandboxed).toBe(false);
    // Without bubblewrap: no session opens, and the reason names the fix (the worker logs it at start and fails runs with it).
    const missing = new SandboxProvider(readSandboxSettings({}), '/nonexistent/bwrap');
    const status = missing.availability();
    expect(status.kind).toBe('unavailable');
    expect(status.kind === 'unavailable' && status.reason).toMatch(/bwrap is not installed.*apt-get install -y bubblewrap.*SHIPYARD_SANDBOX=off/);
    expect(() => missing.open('/tmp')).toThrow(/bubblewrap/);
  });
});

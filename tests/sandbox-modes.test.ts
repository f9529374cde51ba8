// No silent weakening: a worker with SHIPYARD_SANDBOX=off says so in its start log and in every run's first STATUS
// event; a worker that cannot run bubblewrap says at start that it refuses agent runs, and why.
import { describe, expect, it } from 'vitest';
import { SandboxProvider } from '../worker/sandbox/provider.js';
import { readSandboxSettings } from '../worker/sandbox/settings.js';
import { gqlOk } from './helpers/api.js';
import { createProject, startAgentRun } from './helpers/foundation.js';
import { until } from './helpers/processes.js';
import { useStack } from './helpers/stack.js';
import { AgentRunStatusEventsDocument as RUN } from './generated/graphql.js';

const stack = useStack();

describe('sandbox modes', () => {
  it('SHIPYARD_SANDBOX=off: the worker log and the run\'s first STATUS event say commands run unsandboxed', async () => {
    const worker = await stack.startWorker('scripted', { SHIPYARD_SANDBOX: 'off', LOG_LEVEL: 'info' });
    await until(() => /SHIPYARD_SANDBOX=off: agents' commands run UNSANDBOXED/.test(worker.output()), 10_000, 'the start log about the sandbox');
    const project = await createProject(stack.api, stack.owner, 'Off', JSON.stringify({ sessions: 1, eventsPerSession: 1 }));
    const runId = await startAgentRun(stack.api, stack.owner, project.id);
    const run = await until(async () => {
      const r = (await gqlOk(stack.api, RUN, { id: runId }, stack.owner.token)).agentRun!;
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

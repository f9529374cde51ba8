// Operations, as an operator sees them: /metrics of the API and worker processes moved by a real run against the
// scripted model, and that run's lifecycle in the worker's and the API's logs.
import { beforeAll, describe, expect, it } from 'vitest';
import { gql, gqlOk, signUp } from './helpers/api.js';
import { createProject, startAgentRun } from './helpers/foundation.js';
import { rawId } from './helpers/global-id.js';
import { useProcessStack } from './helpers/process-stack.js';
import { freePort, until, type Proc } from './helpers/processes.js';
import { bash } from './helpers/scripted-anthropic.js';
import { useScriptedModel } from './helpers/scripted-model.js';
import { initializerSession } from './helpers/quickstart-script.js';
import { subscribeSse } from './helpers/subscriptions.js';
import { sample, scrape } from './helpers/prometheus.js';
import { AgentRunStatusDocument, AgentRunStatusEventsDocument, ProjectEventSeqsDocument, StopAgentRunDocument } from './generated/graphql.js';

const model = useScriptedModel();
let workerMetrics: string;
const stack = useProcessStack({
  settings: { LOG_LEVEL: 'info' },
  workerSettings: async () => {
    const metricsPort = await freePort();
    workerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
    return { ...model.env(), SHIPYARD_METRICS_PORT: String(metricsPort) };
  },
});
let owner: { token: string };
beforeAll(async () => {
  owner = await signUp(stack.api, 'operator');
});

const logLines = (proc: Proc) =>
  proc
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('operations', () => {
  it('a run moves the API and worker metrics, and its lifecycle is logged with runId, projectId and worker', async () => {
    const before = { api: await scrape(`${stack.api.url}/metrics`), worker: await scrape(workerMetrics) };
    expect(sample(before.api, 'shipyard_workers', { queue: stack.instance.queueName })).toBe(1);
    expect(sample(before.worker, 'shipyard_runs_finished_total')).toBeNaN(); // no run yet: no sample

    model.enqueue(...initializerSession());
    const projectId = (await createProject(stack.api, owner, 'Metered', 'Build a greeter.')).id;
    const watcher = subscribeSse(stack.api.url, owner.token, ProjectEventSeqsDocument, { projectId });
    const runGlobalId = await startAgentRun(stack.api, owner, projectId, { maxSessions: 1 });
    const run = await until(async () => {
      const r = (await gqlOk(stack.api, AgentRunStatusDocument, { id: runGlobalId }, owner.token)).agentRun!;
      return ['SUCCEEDED', 'STOPPED', 'FAILED', 'CANCELLED'].includes(r.status) ? r : null;
    }, 30_000, 'the run to finish');
    expect(run).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });

    const after = { api: await scrape(`${stack.api.url}/metrics`), worker: await scrape(workerMetrics) };
    expect(sample(after.worker, 'shipyard_runs_finished_total', { status: 'STOPPED' })).toBe(1);
    expect(sample(after.worker, 'shipyard_run_duration_seconds_count', { status: 'STOPPED' })).toBe(1);
    expect(sample(after.worker, 'shipyard_session_duration_seconds_count', { kind: 'INITIALIZER' })).toBe(1);
    expect(sample(after.worker, 'shipyard_run_events_total')).toBeGreaterThan(5);
    expect(sample(after.worker, 'shipyard_model_tokens_total', { kind: 'input' })).toBe(3 * 1200);
    expect(sample(after.worker, 'shipyard_model_tokens_total', { kind: 'output' })).toBe(3 * 300);
    expect(sample(after.worker, 'shipyard_model_cost_usd_total')).toBeGreaterThan(0);
    expect(sample(after.worker, 'shipyard_worker_active_runs')).toBe(0);
    expect(sample(after.worker, 'shipyard_queue_jobs', { state: 'completed' })).toBe(1);

    expect(sample(after.api, 'shipyard_runs', { status: 'STOPPED' })).toBe(sample(before.api, 'shipyard_runs', { status: 'STOPPED' }) + 1);
    expect(sample(after.api, 'shipyard_queue_jobs', { queue: stack.instance.queueName, state: 'waiting' })).toBe(0);
    expect(sample(after.api, 'shipyard_live_subscriptions')).toBe(1);
    expect(sample(after.api, 'graphql_envelop_request_duration_count', { operationType: 'mutation' })).toBeGreaterThan(
      sample(before.api, 'graphql_envelop_request_duration_count', { operationType: 'mutation' }) || 0,
    );
    expect(sample(after.api, 'process_cpu_seconds_total', { process: 'api' })).toBeGreaterThan(0);
    watcher.stop();
    await until(async () => sample(await scrape(`${stack.api.url}/metrics`), 'shipyard_live_subscriptions') === 0, 10_000, 'the subscription to close');

    const runId = rawId(runGlobalId);
    const projectRowId = rawId(projectId);
    const workerLog = logLines(stack.worker).filter((l) => l.runId === runId);
    const messages = workerLog.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['run started', 'session ended', 'run finished']));
    for (const line of workerLog.filter((l) => ['run started', 'session ended', 'run finished'].includes(l.msg as string))) {
      expect(line).toMatchObject({ level: 30, runId, projectId: projectRowId, worker: expect.any(String) });
    }
    expect(workerLog.find((l) => l.msg === 'run finished')).toMatchObject({ status: 'STOPPED', stopReason: 'max_sessions' });
    expect(logLines(stack.api).find((l) => l.msg === 'run queued')).toMatchObject({ level: 30, runId, projectId: projectRowId });
  }, 60_000);

  it('logs a stop relayed to the worker holding the run, and the run finishing CANCELLED', async () => {
    model.enqueue(bash('sleep 30', 'Waiting a while.'));
    const project = await createProject(stack.api, owner, 'Stopped', 'Build a clock.');
    const runGlobalId = await startAgentRun(stack.api, owner, project.id);
    const runId = rawId(runGlobalId);
    await until(() => logLines(stack.worker).some((l) => l.runId === runId && l.msg === 'run started'), 20_000, 'the run to start');
    await until(async () => {
      const events = (await gqlOk(stack.api, AgentRunStatusEventsDocument, { id: runGlobalId }, owner.token)).agentRun!.events;
      return events.some((e: { type: string }) => e.type === 'TOOL_CALL');
    }, 20_000, 'the command to start');
    const stopped = await gqlOk(stack.api, StopAgentRunDocument, { id: runGlobalId }, owner.token);
    expect(stopped.stopAgentRun.status).toBe('CANCELLED');
    await until(() => logLines(stack.worker).some((l) => l.runId === runId && l.msg === 'run finished'), 10_000, 'the finish to be logged');
    expect(logLines(stack.api).find((l) => l.runId === runId && l.msg === 'stop relayed to the workers')).toMatchObject({ level: 30 });
    expect(logLines(stack.worker).find((l) => l.runId === runId && l.msg === 'stop relayed to this worker; aborting the run')).toMatchObject({ worker: expect.any(String) });
    expect(logLines(stack.worker).find((l) => l.runId === runId && l.msg === 'run finished')).toMatchObject({ level: 30, status: 'CANCELLED' });
  }, 60_000);

  it('logs client errors at info without a stack', async () => {
    const mistakes = [
      gql(stack.api, `{ agentRun(id: "bm90LWFuLWlk") { status } }`, {}, owner.token),
      gql(stack.api, `{ nope }`, {}, owner.token),
      gql(stack.api, `mutation { createProject(input: { name: "" }) { id } }`, {}, owner.token),
    ];
    for (const result of await Promise.all(mistakes)) expect(result.errors?.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    const lines = logLines(stack.api);
    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
    const clientErrors = lines.filter((l) => l.msg === "client error");
    expect(clientErrors.length).toBeGreaterThanOrEqual(3);
    for (const line of clientErrors) {
      expect(line.level).toBe(30);
      expect(JSON.stringify(line)).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
  });
});

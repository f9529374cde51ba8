// The whole platform joined: GraphQL API → BullMQ → a worker PROCESS running the real agent loop (real SDK against the
// scripted Messages API, real git) → events over an SSE subscription.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk, signUp, startTestApi, type TestApi } from './helpers/api.js';
import { isAlive, startWorkerProcess, until, type Proc } from './helpers/processes.js';
import { bash, say, startScriptedAnthropic, type ScriptedAnthropic } from './helpers/scripted-anthropic.js';
import { FEATURES, codingSession, initializerSession } from './helpers/quickstart-script.js';
import { subscribeSse } from './helpers/subscriptions.js';
import { getDb } from '../src/db/client.js';

const queueName = `shipyard-test-fullstack-${randomBytes(4).toString('hex')}`;
process.env.SHIPYARD_QUEUE = queueName;
const generations = mkdtempSync(join(tmpdir(), 'shipyard-generations-'));
process.env.GENERATIONS_DIR = generations;

let api: TestApi;
let model: ScriptedAnthropic;
let worker: Proc;
let owner: { token: string };

beforeAll(async () => {
  model = await startScriptedAnthropic();
  api = await startTestApi();
  owner = await signUp(api, 'owner');
  worker = await startWorkerProcess({ DATABASE_URL: api.databaseUrl, SHIPYARD_QUEUE: queueName, GENERATIONS_DIR: generations, ...model.env() });
}, 90_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  const queue = new Queue(queueName, { connection: api.services.redis });
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  await api?.close();
  await model?.close();
  rmSync(generations, { recursive: true, force: true });
});

const EVENTS = `subscription($runId: ID!) { agentRunEvents(runId: $runId) { seq type payload } }`;
const RUN = `query($id: ID!) { agentRun(id: $id) { status stopReason error sessionsCompleted usage { inputTokens outputTokens costUsd }
  commits { sha message filesChanged } testResults { kind command exitCode passed }
  project { featureStats { total passing } features(first: 10) { edges { node { description passes } } } } } }`;

async function createProject(name: string): Promise<string> {
  const data = await gqlOk(api, `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`, { i: { name, appSpec: 'Build a greeter, an adder and a string reverser.' } }, owner.token);
  return data.createProject.id;
}

const startRun = async (projectId: string) =>
  (await gqlOk(api, `mutation($i: StartAgentRunInput!) { startAgentRun(input: $i) { id status } }`, { i: { projectId } }, owner.token)).startAgentRun;

describe('full stack', () => {
  it('runs a project from app spec to SUCCEEDED through the API, the queue and a worker process', async () => {
    model.enqueue(...initializerSession(), ...codingSession(0), ...codingSession(1), ...codingSession(2));
    const projectId = await createProject('Full Stack');
    const run = await startRun(projectId);
    expect(run.status).toBe('QUEUED');
    const sse = subscribeSse(api.url, owner.token, EVENTS, { runId: run.id });
    await sse.done;

    const seqs = sse.results.map((r) => r.data?.agentRunEvents.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const types = new Set(sse.results.map((r) => r.data?.agentRunEvents.type));
    for (const type of ['STATUS', 'TEXT', 'TOOL_CALL', 'TOOL_RESULT', 'FEATURE', 'COMMIT', 'TEST', 'COMPLETE']) expect(types).toContain(type);
    expect(sse.results.at(-1)!.data!.agentRunEvents).toMatchObject({ type: 'COMPLETE', payload: { status: 'SUCCEEDED' } });

    const state = (await gqlOk(api, RUN, { id: run.id }, owner.token)).agentRun;
    expect(state).toMatchObject({ status: 'SUCCEEDED', stopReason: 'all_features_passing', error: null, sessionsCompleted: 4 });
    expect(state.project.featureStats).toEqual({ total: 3, passing: 3 });
    expect(state.project.features.edges.map((e: any) => e.node.description)).toEqual(FEATURES);
    expect(state.usage.inputTokens).toBeGreaterThan(0);
    expect(state.usage.costUsd).toBeGreaterThan(0);
    expect(model.remaining()).toBe(0);

    expect(state.commits.map((c: any) => c.message)).toEqual(['Initial plan: feature list and init.sh', ...FEATURES.map((n) => `Implement: ${n}`)]);
    expect(state.commits.every((c: any) => /^[0-9a-f]{40}$/.test(c.sha) && c.filesChanged.length > 0)).toBe(true);
    expect(state.testResults.filter((r: any) => r.kind === 'AGENT')).toEqual(FEATURES.map(() => ({ kind: 'AGENT', command: 'node --test', exitCode: 0, passed: true })));
    expect(state.testResults.filter((r: any) => r.kind === 'VERIFIER').map((r: any) => r.passed)).toEqual(FEATURES.map(() => true));
    const runId = Buffer.from(run.id, 'base64').toString().split(':')[1]!;
    expect(await getDb().commit.count({ where: { runId } })).toBe(4);
  }, 120_000);

  it('stops a running agent within a second and kills the command it started', async () => {
    const marker = 60 + (process.pid % 37) + 0.5;
    model.enqueue(...initializerSession(), bash(`sleep ${marker}`, 'Waiting for the server.'), say('unreachable'));
    const projectId = await createProject('Stop Me');
    const run = await startRun(projectId);
    const sleeper = await until(() => {
      try {
        return Number(execFileSync('pgrep', ['-f', `^sleep ${marker}$`]).toString().trim().split('\n')[0]) || undefined;
      } catch {
        return undefined;
      }
    }, 60_000, 'the agent to start sleep');

    const started = Date.now();
    const stopped = (await gqlOk(api, `mutation($id: ID!) { stopAgentRun(id: $id) { status } }`, { id: run.id }, owner.token)).stopAgentRun;
    const final = await until(async () => {
      const { agentRun } = await gqlOk(api, `query($id: ID!) { agentRun(id: $id) { status stopReason } }`, { id: run.id }, owner.token);
      return agentRun.status === 'CANCELLED' ? agentRun : undefined;
    }, 10_000, 'CANCELLED');
    await until(() => !isAlive(sleeper), 5_000, 'the sleep process to die');
    const elapsed = Date.now() - started;

    expect(['RUNNING', 'CANCELLED']).toContain(stopped.status);
    expect(final.status).toBe('CANCELLED');
    expect(isAlive(sleeper)).toBe(false);
    expect(elapsed).toBeLessThan(3_000); // the goal is 1 s; bench:stop measures it precisely
    model.clear();
  }, 120_000);
});

// The whole platform joined: GraphQL API → BullMQ → a worker PROCESS running the real agent loop (real SDK against the
// scripted Messages API, real git) → events over an SSE subscription.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gqlOk } from './helpers/api.js';
import { createProject as createProjectAs } from './helpers/foundation.js';
import { rawId } from './helpers/global-id.js';
import { isAlive, until } from './helpers/processes.js';
import { bash, say } from './helpers/scripted-anthropic.js';
import { useScriptedModel } from './helpers/scripted-model.js';
import { FEATURES, codingSession, initializerSession } from './helpers/quickstart-script.js';
import { useStack } from './helpers/stack.js';
import { subscribeSse } from './helpers/subscriptions.js';
import { AgentRunEventsDocument as EVENTS, AgentRunReportDocument as RUN, AgentRunStatusDocument, StartAgentRunDocument, StopAgentRunDocument } from './generated/graphql.js';
import { getDb } from '../src/db/client.js';

const model = useScriptedModel();
const stack = useStack({ workers: { kind: 'real', settings: () => model.env() } });

const createProject = async (name: string) => (await createProjectAs(stack.api, stack.owner, name, 'Build a greeter, an adder and a string reverser.')).id;

const startRun = async (projectId: string) => (await gqlOk(stack.api, StartAgentRunDocument, { input: { projectId } }, stack.owner.token)).startAgentRun;

describe('full stack', () => {
  it('runs a project from app spec to SUCCEEDED through the API, the queue and a worker process', async () => {
    model.enqueue(...initializerSession(), ...codingSession(0), ...codingSession(1), ...codingSession(2));
    const projectId = await createProject('Full Stack');
    const run = await startRun(projectId);
    expect(run.status).toBe('QUEUED');
    const sse = subscribeSse(stack.api.url, stack.owner.token, EVENTS, { runId: run.id });
    await sse.done;

    const seqs = sse.results.map((r) => r.data?.agentRunEvents.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const types = new Set(sse.results.map((r) => r.data?.agentRunEvents.type));
    for (const type of ['STATUS', 'TEXT', 'TOOL_CALL', 'TOOL_RESULT', 'FEATURE', 'COMMIT', 'TEST', 'COMPLETE']) expect(types).toContain(type);
    expect(sse.results.at(-1)!.data!.agentRunEvents).toMatchObject({ type: 'COMPLETE', payload: { status: 'SUCCEEDED' } });

    const state = (await gqlOk(stack.api, RUN, { id: run.id }, stack.owner.token)).agentRun!;
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
    const runId = rawId(run.id);
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
    const stopped = (await gqlOk(stack.api, StopAgentRunDocument, { id: run.id }, stack.owner.token)).stopAgentRun;
    const final = await until(async () => {
      const { agentRun } = await gqlOk(stack.api, AgentRunStatusDocument, { id: run.id }, stack.owner.token);
      return agentRun?.status === 'CANCELLED' ? agentRun : undefined;
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

// Budgets park runs instead of ending them: a project's monthly budget and the starter's monthly budget are enforced
// like the run's own (PAUSED, budget, naming which one); raising it and resuming continues; spend is visible on the
// project and the viewer. Also the steering mutations over GraphQL: pauseAgentRun on a queued run, sendRunMessage
// (who said it, when it was delivered) and resumeAgentRun.
import { describe, expect, it } from 'vitest';
import { gqlOk } from './helpers/api.js';
import { rawId } from './helpers/global-id.js';
import {
  AgentRunMessagesDocument,
  PauseAgentRunDocument,
  SendRunMessageDocument,
  SpendDocument as SPEND,
  StartAgentRunDocument,
  UpdateProjectBudgetDocument as UPDATE_PROJECT,
  UpdateViewerBudgetDocument as UPDATE_VIEWER,
} from './generated/graphql.js';
import { bash, say } from './helpers/scripted-anthropic.js';
import { continueRun, seedApiProject, useRuntimeOnApi } from './helpers/runtime-fixtures.js';

const costly = { input_tokens: 1_000_000, output_tokens: 0 }; // $3 at the default model's $3/MTok input

describe('monthly budgets', () => {
  // The API's own queue: no worker anywhere takes the runs it starts.
  const { ctx: state, h } = useRuntimeOnApi();

  it("park a run at the project's and then the user's monthly budget; raising them continues it", async () => {
    const { api, owner } = state;
    const { globalId, projectId } = await seedApiProject(state, h, 'Budgeted', ['Alpha']);
    const project = { id: globalId };
    await gqlOk(api, UPDATE_PROJECT, { input: { id: project.id, monthlyBudgetUsd: 4 } }, owner.token);
    const run = await h.db.agentRun.create({ data: { projectId, status: 'RUNNING', maxSessions: 1, budgetUsd: 100, startedById: rawId(owner.userId) } });

    h.model.enqueue({ ...bash('echo one'), usage: costly }, { ...bash('echo two'), usage: costly });
    expect(await continueRun(h, run.id, projectId)).toEqual({ status: 'PAUSED', stopReason: 'budget', detail: "the project's monthly budget" });
    expect(h.model.remaining()).toBe(0);
    expect(await gqlOk(api, SPEND, { id: project.id }, owner.token)).toEqual({
      node: { monthlyBudgetUsd: 4, monthSpendUsd: 6 },
      viewer: { monthlyBudgetUsd: null, monthSpendUsd: 6 },
    });

    // The project's budget is raised, but the user's own monthly budget (7) leaves room for one more turn only.
    await gqlOk(api, UPDATE_PROJECT, { input: { id: project.id, monthlyBudgetUsd: 50 } }, owner.token);
    await gqlOk(api, UPDATE_VIEWER, { input: { monthlyBudgetUsd: 7 } }, owner.token);
    h.model.enqueue({ ...bash('echo three'), usage: costly });
    expect(await continueRun(h, run.id, projectId)).toEqual({ status: 'PAUSED', stopReason: 'budget', detail: 'the monthly budget of the user who started it' });
    expect(h.model.remaining()).toBe(0);

    await gqlOk(api, UPDATE_VIEWER, { input: { monthlyBudgetUsd: null } }, owner.token);
    h.model.enqueue(say('Done within budget.'));
    expect(await continueRun(h, run.id, projectId)).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });
    const spend = await gqlOk(api, SPEND, { id: project.id }, owner.token);
    // $9 for the three costly turns plus the last small one.
    const projectSpend = spend.node && 'monthSpendUsd' in spend.node ? spend.node.monthSpendUsd : Number.NaN;
    expect(projectSpend).toBeGreaterThan(9);
    expect(projectSpend).toBeLessThan(9.01);
    expect(spend.viewer).toMatchObject({ monthlyBudgetUsd: null });
    expect(spend.viewer!.monthSpendUsd).toBeCloseTo(projectSpend, 6);
  });

  it('pauses a queued run, takes a message for it and resumes it over GraphQL; the message reaches the model', async () => {
    const { api, owner } = state;
    const { globalId, projectId } = await seedApiProject(state, h, 'Steered', ['Alpha']);
    const project = { id: globalId };
    const started = await gqlOk(api, StartAgentRunDocument, { input: { projectId: project.id, maxSessions: 1 } }, owner.token);
    const runGid = started.startAgentRun.id;
    // No worker listens on this file's queue: the run stays QUEUED, so the API pauses it itself.
    const paused = await gqlOk(api, PauseAgentRunDocument, { id: runGid }, owner.token);
    expect(paused.pauseAgentRun).toEqual({ status: 'PAUSED', pausedReason: 'user' });
    const sent = await gqlOk(
      api,
      SendRunMessageDocument,
      { runId: runGid, text: '  Keep the public API stable.  ' },
      owner.token,
    );
    // A message to a paused run resumes it.
    expect(sent.sendRunMessage).toEqual({ text: 'Keep the public API stable.', deliveredAt: null, author: { name: 'owner' }, run: { id: runGid, status: 'QUEUED' } });

    // A worker would now take the job; run the runtime on it here and look at what the model received.
    await h.db.agentRun.update({ where: { id: rawId(runGid) }, data: { status: 'RUNNING' } });
    h.model.enqueue(say('Understood.'));
    const before = h.model.requests.length;
    expect(await continueRun(h, rawId(runGid), projectId)).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });
    expect(JSON.stringify(h.model.requests[before].body.messages)).toMatch(/Message from owner[\s\S]*Keep the public API stable\./);
    const after = await gqlOk(api, AgentRunMessagesDocument, { id: runGid }, owner.token);
    expect(after.agentRun!.messages).toHaveLength(1);
    expect(after.agentRun!.messages[0].deliveredAt).not.toBeNull();
  });
});

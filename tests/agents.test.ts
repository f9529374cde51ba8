// Agents over HTTP: the defaults every project gets, create/update/delete, and validation.
import { describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk } from './helpers/api.js';
import { createProject, fingerprint, useApiWithOwner } from './helpers/foundation.js';
import { CreateAgentDocument, DeleteAgentDocument, ProjectAgentsDocument, UpdateAgentDocument, type CreateAgentInput } from './generated/graphql.js';

const ctx = useApiWithOwner();

describe('agents', () => {
  it('gives every new project an initializer and a coding agent following the feature-list workflow', async () => {
    const project = await createProject(ctx.api, ctx.owner, 'Agents Home');
    const byRole = Object.fromEntries(project.agents.map((a) => [a.role, a]));
    expect(Object.keys(byRole).sort()).toEqual(['CODING', 'INITIALIZER']);
    expect(byRole.INITIALIZER.systemPrompt).toMatch(/feature_list\.json/);
    expect(byRole.INITIALIZER.systemPrompt).toMatch(/init\.sh/);
    expect(byRole.CODING.systemPrompt).toMatch(/first entry in feature_list\.json whose "passes" is false/);
    expect(byRole.CODING.systemPrompt).toMatch(/claude-progress\.txt/);
    expect(byRole.CODING.budgetUsd).toBeGreaterThan(0);
  });

  it('creates, updates and deletes an agent; budgetUsd is a Float', async () => {
    const project = await createProject(ctx.api, ctx.owner, 'Agents Crud');
    const input: CreateAgentInput = {
      projectId: project.id,
      name: 'Reviewer',
      role: 'CUSTOM',
      model: 'claude-haiku-4-5',
      systemPrompt: 'Review the last commit.',
      allowedCommands: ['git', 'npm', 'git'],
      allowedTools: ['bash'],
      maxTurns: 10,
      maxSessions: 3,
      budgetUsd: 1.25,
    };
    const agent = (await gqlOk(ctx.api, CreateAgentDocument, { input }, ctx.owner.token)).createAgent;
    expect(agent).toMatchObject({ name: 'Reviewer', role: 'CUSTOM', allowedCommands: ['git', 'npm'], maxTurns: 10, budgetUsd: 1.25 });

    const coding = (await gqlOk(ctx.api, CreateAgentDocument, { input: { projectId: project.id, name: 'Coder 2', role: 'CODING' } }, ctx.owner.token)).createAgent;
    expect(coding.systemPrompt).toMatch(/feature_list\.json/);
    expect(coding.allowedCommands).toContain('git');

    const updated = (await gqlOk(ctx.api, UpdateAgentDocument, { input: { id: agent.id, budgetUsd: 2.5, maxSessions: 5, name: 'Strict reviewer' } }, ctx.owner.token))
      .updateAgent;
    expect(updated).toMatchObject({ name: 'Strict reviewer', budgetUsd: 2.5, maxSessions: 5, maxTurns: 10, model: 'claude-haiku-4-5', network: 'NONE', allowedHosts: [] });
    const networked = (await gqlOk(ctx.api, UpdateAgentDocument, { input: { id: agent.id, network: 'ALLOWLIST', allowedHosts: ['Registry.npmjs.org', '*.example.com'] } }, ctx.owner.token)).updateAgent;
    expect(networked).toMatchObject({ network: 'ALLOWLIST', allowedHosts: ['registry.npmjs.org', '*.example.com'] });

    const listed = (await gqlOk(ctx.api, ProjectAgentsDocument, { id: project.id }, ctx.owner.token)).project!.agents.map((a) => a.name);
    expect(listed).toEqual(expect.arrayContaining(['Initializer', 'Coder', 'Strict reviewer', 'Coder 2']));
    expect(listed).toHaveLength(4);

    expect((await gqlOk(ctx.api, DeleteAgentDocument, { id: coding.id }, ctx.owner.token)).deleteAgent.name).toBe('Coder 2');
    expect((await gqlOk(ctx.api, ProjectAgentsDocument, { id: project.id }, ctx.owner.token)).project!.agents).toHaveLength(3);
  });

  it('rejects invalid agents with BAD_USER_INPUT or CONFLICT and changes nothing', async () => {
    const project = await createProject(ctx.api, ctx.owner, 'Agents Bad');
    const base = { projectId: project.id, name: 'Ok', role: 'CODING' as const };
    const before = await fingerprint(ctx.api);
    const bad: Array<[Partial<CreateAgentInput>, RegExp]> = [
      [{ name: '  ' }, /name: must not be empty/],
      [{ maxTurns: 0 }, /maxTurns: must be at least 1/],
      [{ budgetUsd: -1 }, /budgetUsd: must be more than 0/],
      [{ model: 'has spaces in it' }, /model: must be a model id/],
      [{ allowedCommands: ['rm -rf /'] }, /allowedCommands.*single program name/],
      [{ allowedTools: ['no-dashes!'] }, /allowedTools.*tool name/],
      [{ allowedHosts: ['127.0.0.1'] }, /allowedHosts.*host name/],
      [{ allowedHosts: ['http://evil.com/x'] }, /allowedHosts.*host name/],
      [{ role: 'CUSTOM' }, /CUSTOM agent needs a systemPrompt/],
    ];
    for (const [change, message] of bad) {
      const result = await gql(ctx.api, CreateAgentDocument, { input: { ...base, ...change } }, ctx.owner.token);
      expect(errorCodes(result), JSON.stringify(change)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0].message).toMatch(message);
    }
    const duplicate = await gql(ctx.api, CreateAgentDocument, { input: { ...base, name: 'Coder' } }, ctx.owner.token);
    expect(errorCodes(duplicate)).toEqual(['CONFLICT']);
    expect(await fingerprint(ctx.api)).toEqual(before);
  });
});

// Bad input gets a coded error and changes nothing: empty names, unknown ids, malformed feature_list.json,
// oversized bodies, and queries over the depth / alias / token limits.
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk } from './helpers/api.js';
import { createProject, fingerprint, useApiWithOwner, writeFeatureList, type CreatedProject } from './helpers/foundation.js';
import { toGlobalId } from './helpers/global-id.js';
import * as docs from './generated/graphql.js';
import { MAX_BODY_BYTES } from '../src/transport/app.js';

const ctx = useApiWithOwner();
let project: CreatedProject;
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  project = await createProject(ctx.api, ctx.owner, 'Sturdy');
});

async function postRaw(body: string) {
  const response = await fetch(`${ctx.api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.owner.token}` },
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe('bad inputs', () => {
  it('rejects empty names and titles with BAD_USER_INPUT', async () => {
    const before = await fingerprint(ctx.api);
    const cases = [
      await gql(ctx.api, docs.CreateProjectDocument, { input: { name: '   ' } }, ctx.owner.token),
      await gql(ctx.api, docs.UpdateProjectDocument, { input: { id: project.id, name: '' } }, ctx.owner.token),
      await gql(ctx.api, docs.CreateWorkItemDocument, { input: { projectId: project.id, type: 'TASK', title: ' ' } }, ctx.owner.token),
      await gql(ctx.api, docs.CreateAgentDocument, { input: { projectId: project.id, name: '', role: 'CODING' } }, ctx.owner.token),
      await gql(ctx.api, docs.UpdateAgentDocument, { input: { id: project.agents[0].id, name: '' } }, ctx.owner.token),
    ];
    for (const result of cases) {
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0].message).toMatch(/must not be empty/);
    }
    expect(await fingerprint(ctx.api)).toEqual(before);
  });

  it('answers unknown and malformed ids with NOT_FOUND or BAD_USER_INPUT', async () => {
    const before = await fingerprint(ctx.api);
    const unknownProject = toGlobalId('Project', UNKNOWN_UUID);
    const unknownItem = toGlobalId('WorkItem', UNKNOWN_UUID);
    const unknownAgent = toGlobalId('Agent', UNKNOWN_UUID);
    const unknownFeature = toGlobalId('Feature', UNKNOWN_UUID);
    expect(errorCodes(await gql(ctx.api, docs.ProjectSummaryDocument, { id: unknownProject }, ctx.owner.token))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await gql(ctx.api, docs.SyncFeaturesDocument, { projectId: unknownProject }, ctx.owner.token))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await gql(ctx.api, docs.CreateWorkItemDocument, { input: { projectId: unknownProject, type: 'TASK', title: 'x' } }, ctx.owner.token))).toEqual([
      'NOT_FOUND',
    ]);
    expect(errorCodes(await gql(ctx.api, docs.UpdateWorkItemDocument, { input: { id: unknownItem, title: 'x' } }, ctx.owner.token))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await gql(ctx.api, docs.DeleteWorkItemDocument, { id: unknownItem }, ctx.owner.token))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await gql(ctx.api, docs.UpdateAgentDocument, { input: { id: unknownAgent, name: 'x' } }, ctx.owner.token))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await gql(ctx.api, docs.DeleteAgentDocument, { id: unknownAgent }, ctx.owner.token))).toEqual(['NOT_FOUND']);
    const unknownFeatureLink = await gql(
      ctx.api,
      docs.CreateWorkItemDocument,
      { input: { projectId: project.id, type: 'TASK', title: 'x', featureIds: [unknownFeature] } },
      ctx.owner.token,
    );
    expect(errorCodes(unknownFeatureLink)).toEqual(['BAD_USER_INPUT']);
    const notUuid = await gql(ctx.api, docs.DeleteWorkItemDocument, { id: toGlobalId('WorkItem', 'nope') }, ctx.owner.token);
    expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(errorCodes(notUuid)[0]);
    expect(await fingerprint(ctx.api)).toEqual(before);
  });

  it('answers a global id of the wrong type, or no global id at all, with BAD_USER_INPUT', async () => {
    const before = await fingerprint(ctx.api);
    const wrongType = await gql(ctx.api, docs.ProjectSummaryDocument, { id: project.agents[0].id }, ctx.owner.token);
    expect(errorCodes(wrongType)).toEqual(['BAD_USER_INPUT']);
    const garbage = await gql(ctx.api, docs.DeleteWorkItemDocument, { id: 'not-a-global-id' }, ctx.owner.token);
    expect(errorCodes(garbage)).toEqual(['BAD_USER_INPUT']);
    // A well-formed global id whose id part is not a UUID names no row: a client error, not a masked crash.
    for (const result of [
      await gql(ctx.api, docs.ProjectSummaryDocument, { id: toGlobalId('Project', 'nope') }, ctx.owner.token),
      await gql(ctx.api, docs.NodeByIdDocument, { id: toGlobalId('Project', 'nope') }, ctx.owner.token),
    ]) {
      expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(errorCodes(result)[0]);
    }
    expect(await fingerprint(ctx.api)).toEqual(before);
  });

  it('rejects a malformed feature_list.json naming the entry and field, changing nothing', async () => {
    await writeFeatureList(ctx.api, project.id, JSON.stringify([{ category: 'functional', description: 'ok', steps: [], passes: false }, { category: 'x', description: 'y', steps: ['a', 7], passes: false }]));
    const before = await fingerprint(ctx.api);
    const result = await gql(ctx.api, docs.SyncFeaturesDocument, { projectId: project.id }, ctx.owner.token);
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0].message).toBe('feature_list.json entry 1: "steps[1]" must be a string, got number 7.');
    expect(await fingerprint(ctx.api)).toEqual(before);
  });

  it('refuses an oversized body with 413 before parsing it', async () => {
    const before = await fingerprint(ctx.api);
    const name = 'x'.repeat(MAX_BODY_BYTES + 10);
    const response = await postRaw(JSON.stringify({ query: docs.CreateProjectDocument.loc?.source.body ?? 'mutation { __typename }', variables: { input: { name } } }));
    expect(response.status).toBe(413);
    expect(await fingerprint(ctx.api)).toEqual(before);
  });

  it('refuses over-deep, alias-heavy and token-heavy queries with coded errors', async () => {
    const before = await fingerprint(ctx.api);
    const parents = (levels: number): string => (levels === 0 ? 'id' : `parent { ${parents(levels - 1)} }`);
    const tooDeep = await gql(ctx.api, `query { node(id: "${project.id}") { ... on Project { workItems(first: 1) { edges { node { ${parents(12)} } } } } } }`, {}, ctx.owner.token);
    expect(errorCodes(tooDeep)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(tooDeep.errors![0].message).toMatch(/depth limit/i);

    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: viewer { id }`).join(' ');
    const tooManyAliases = await gql(ctx.api, `query { ${aliases} }`, {}, ctx.owner.token);
    expect(tooManyAliases.errors![0].message).toMatch(/aliases limit/i);
    expect(errorCodes(tooManyAliases)).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    const mutationAliases = Array.from({ length: 30 }, (_, i) => `m${i}: createProject(input: { name: "Spam ${i}" }) { id }`).join(' ');
    const aliasedWrites = await gql(ctx.api, `mutation { ${mutationAliases} }`, {}, ctx.owner.token);
    expect(aliasedWrites.errors![0].message).toMatch(/alias/i);
    expect(aliasedWrites.data ?? null).toBeNull();

    const tokens = `query { ${Array.from({ length: 2500 }, () => '__typename').join(' ')} }`;
    const tooManyTokens = await gql(ctx.api, tokens, {}, ctx.owner.token);
    expect(tooManyTokens.errors![0].message).toMatch(/token limit/i);
    expect(errorCodes(tooManyTokens)).toEqual(['GRAPHQL_PARSE_FAILED']);

    const notJson = await postRaw('{"query": ');
    expect(notJson.status).toBeGreaterThanOrEqual(400);
    expect(await fingerprint(ctx.api)).toEqual(before);
  });
});

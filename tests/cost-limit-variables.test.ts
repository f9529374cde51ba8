// GraphQL Armor's cost limit counts a connection's `first`/`last` whether it is written in the query or passed as a
// variable (or a variable's default): a page too large is refused as GRAPHQL_VALIDATION_FAILED in every form, through
// GraphQL and through the REST routes that run on it; an ordinary page size passes in every form. REST documents its
// largest page (MAX_REST_PAGE) and refuses a larger one as BAD_USER_INPUT before any GraphQL runs.
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, gql } from './helpers/api.js';
import { createProject, useApiWithOwner } from './helpers/foundation.js';
import { rest } from './helpers/rest.js';
import { MAX_REST_PAGE } from '../src/rest/routes.js';

const ctx = useApiWithOwner();
const HUGE = 1_000_000;
const PROJECTS = 'edges { node { id name } } pageInfo { hasNextPage }';

beforeAll(async () => {
  for (const name of ['Alpha', 'Beta', 'Gamma']) await createProject(ctx.api, ctx.owner, name);
});

const expectCostRefusal = (result: Awaited<ReturnType<typeof gql>>) => {
  expect(errorCodes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  expect(result.errors![0].message).toMatch(/cost limit of 5000 exceeded/i);
  expect(result.data ?? null).toBeNull();
};

describe('cost limit with page sizes in variables', () => {
  it('refuses a huge `first` written literally, passed as a variable, or defaulted', async () => {
    const { api, owner } = ctx;
    const byLiteral = await gql(api, `query { projects(first: ${HUGE}) { ${PROJECTS} } }`, {}, owner.token);
    const byVariable = await gql(api, `query Page($n: Int) { projects(first: $n) { ${PROJECTS} } }`, { n: HUGE }, owner.token);
    expectCostRefusal(byLiteral);
    expect(byVariable).toEqual(byLiteral); // the same cost, message and code
    expectCostRefusal(await gql(api, `query Page($n: Int = ${HUGE}) { projects(first: $n) { ${PROJECTS} } }`, {}, owner.token));
    expectCostRefusal(await gql(api, `query Page($n: Int) { projects(last: $n) { ${PROJECTS} } }`, { n: HUGE }, owner.token));
    // Inside a fragment, and nested in another connection.
    const nested = `query Page($n: Int) { projects(first: 2) { edges { node { ...Runs } } } }
      fragment Runs on Project { agentRuns(first: $n) { edges { node { id status } } } }`;
    expectCostRefusal(await gql(api, nested, { n: HUGE }, owner.token));
  });

  it('accepts an ordinary `first: 20` as a variable, with the same answer as the literal', async () => {
    const { api, owner } = ctx;
    const byVariable = await gql(api, `query Page($n: Int) { projects(first: $n) { ${PROJECTS} } }`, { n: 20 }, owner.token);
    const byLiteral = await gql(api, `query { projects(first: 20) { ${PROJECTS} } }`, {}, owner.token);
    expect(byVariable.errors).toBeUndefined();
    expect(byVariable.data).toEqual(byLiteral.data);
    expect((byVariable.data as { projects: { edges: unknown[] } }).projects.edges).toHaveLength(3);
  });

  it('answers a page over the connection maximum but under the cost limit alike in both forms (clamped)', async () => {
    const { api, owner } = ctx;
    const byVariable = await gql(api, `query Page($n: Int) { projects(first: $n) { edges { node { id } } } }`, { n: 150 }, owner.token);
    const byLiteral = await gql(api, `query { projects(first: 150) { edges { node { id } } } }`, {}, owner.token);
    expect(byVariable.errors).toBeUndefined();
    expect(byVariable.data).toEqual(byLiteral.data);
  });

  it('refuses a REST page over its documented maximum with 400, and serves the maximum on every list route', async () => {
    const { api, owner } = ctx;
    const huge = await rest(api, 'GET', `/api/projects?first=${HUGE}`, { token: owner.token });
    expect(huge.status).toBe(400);
    expect(huge.body.error).toEqual({ code: 'BAD_USER_INPUT', message: `first must be at most ${MAX_REST_PAGE.projects}.` });
    expect((await rest(api, 'GET', `/api/projects?first=${MAX_REST_PAGE.projects + 1}`, { token: owner.token })).status).toBe(400);
    const ordinary = await rest(api, 'GET', '/api/projects?first=20', { token: owner.token });
    expect(ordinary.status).toBe(200);
    expect(ordinary.body.items).toHaveLength(3);
    // The maximum fits the cost limit on every list route (the largest selections: projects with stats, runs with usage).
    const project = ordinary.body.items[0].id;
    const lists = [
      ['/api/projects', MAX_REST_PAGE.projects],
      [`/api/projects/${project}/features`, MAX_REST_PAGE.features],
      [`/api/projects/${project}/work-items`, MAX_REST_PAGE.workItems],
      [`/api/projects/${project}/agent-runs`, MAX_REST_PAGE.agentRuns],
    ] as const;
    for (const [path, maximum] of lists) {
      const page = await rest(api, 'GET', `${path}?first=${maximum}`, { token: owner.token });
      expect({ path, status: page.status, error: page.body.error }).toEqual({ path, status: 200, error: undefined });
    }
  });
});

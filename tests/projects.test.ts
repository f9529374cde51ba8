import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk, signUp, startTestApi, type TestApi } from './helpers/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const CREATE = `mutation($i: CreateProjectInput!) { createProject(input: $i) { id name slug viewerRole agents: __typename } }`;

describe('projects', () => {
  it('creates a project owned by its creator, readable by members only', async () => {
    const owner = await signUp(api, 'owner');
    const stranger = await signUp(api, 'stranger');
    const created = await gqlOk(api, CREATE, { i: { name: 'Todo App', appSpec: 'A todo list' } }, owner.token);
    expect(created.createProject).toMatchObject({ name: 'Todo App', slug: 'TODOAPP', viewerRole: 'OWNER' });
    const id = created.createProject.id;
    expect((await gqlOk(api, 'query($id: ID!) { project(id: $id) { name } }', { id }, owner.token)).project.name).toBe('Todo App');
    const denied = await gql(api, 'query($id: ID!) { project(id: $id) { name } }', { id }, stranger.token);
    expect(errorCodes(denied)).toEqual(['FORBIDDEN']);
    // node(id) answers null, exactly as for an id that does not exist (tests/accounts-hardening.test.ts).
    const node = await gql(api, 'query($id: ID!) { node(id: $id) { ... on Project { name } } }', { id }, stranger.token);
    expect(node).toEqual({ data: { node: null } });
    const list = await gqlOk(api, '{ projects(first: 10) { edges { node { name } } } }', {}, stranger.token);
    expect(list.projects.edges).toEqual([]);
    const update = await gql(api, 'mutation($i: UpdateProjectInput!) { updateProject(input: $i) { name } }', { i: { id, name: 'x' } }, stranger.token);
    expect(errorCodes(update)).toEqual(['FORBIDDEN']);
  });

  it('shows a user only to themselves and to people they share a project with', async () => {
    const owner = await signUp(api, 'alice');
    const colleague = await signUp(api, 'bob');
    const stranger = await signUp(api, 'eve');
    const USER = 'query($id: ID!) { node(id: $id) { ... on User { name email } } }';
    expect(await gql(api, USER, { id: owner.userId }, colleague.token)).toEqual({ data: { node: null } });
    const { createProject } = await gqlOk(api, CREATE, { i: { name: 'Shared' } }, owner.token);
    await gqlOk(api, 'mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role } }', { i: { projectId: createProject.id, email: colleague.email, role: 'VIEWER' } }, owner.token);
    expect((await gqlOk(api, USER, { id: owner.userId }, colleague.token)).node).toEqual({ name: 'alice', email: owner.email });
    expect((await gqlOk(api, USER, { id: owner.userId }, owner.token)).node.name).toBe('alice');
    const denied = await gql(api, USER, { id: owner.userId }, stranger.token);
    expect(denied).toEqual({ data: { node: null } });
    expect(JSON.stringify(denied)).not.toContain(owner.email);
  });
});

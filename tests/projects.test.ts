import { describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk, signUp } from './helpers/api.js';
import { addMember, createProject } from './helpers/foundation.js';
import { ProjectNameDocument, ProjectNodeNameDocument, ProjectsDocument, UpdateProjectDocument, UserNodeDocument } from './generated/graphql.js';
import { useTestApi } from './helpers/stack.js';

const api = useTestApi();

describe('projects', () => {
  it('creates a project owned by its creator, readable by members only', async () => {
    const owner = await signUp(api, 'owner');
    const stranger = await signUp(api, 'stranger');
    const created = await createProject(api, owner, 'Todo App', 'A todo list');
    expect(created).toMatchObject({ name: 'Todo App', slug: 'TODOAPP', viewerRole: 'OWNER' });
    const id = created.id;
    expect((await gqlOk(api, ProjectNameDocument, { id }, owner.token)).project!.name).toBe('Todo App');
    const denied = await gql(api, ProjectNameDocument, { id }, stranger.token);
    expect(errorCodes(denied)).toEqual(['FORBIDDEN']);
    // node(id) answers null, exactly as for an id that does not exist (tests/accounts-hardening.test.ts).
    const node = await gql(api, ProjectNodeNameDocument, { id }, stranger.token);
    expect(node).toEqual({ data: { node: null } });
    const list = await gqlOk(api, ProjectsDocument, { first: 10 }, stranger.token);
    expect(list.projects.edges).toEqual([]);
    const update = await gql(api, UpdateProjectDocument, { input: { id, name: 'x' } }, stranger.token);
    expect(errorCodes(update)).toEqual(['FORBIDDEN']);
  });

  it('shows a user only to themselves and to people they share a project with', async () => {
    const owner = await signUp(api, 'alice');
    const colleague = await signUp(api, 'bob');
    const stranger = await signUp(api, 'eve');
    const USER = UserNodeDocument;
    expect(await gql(api, USER, { id: owner.userId }, colleague.token)).toEqual({ data: { node: null } });
    const shared = await createProject(api, owner, 'Shared');
    await addMember(api, owner, shared.id, colleague, 'VIEWER');
    expect((await gqlOk(api, USER, { id: owner.userId }, colleague.token)).node).toEqual({ name: 'alice', email: owner.email });
    expect((await gqlOk(api, USER, { id: owner.userId }, owner.token)).node).toMatchObject({ name: 'alice' });
    const denied = await gql(api, USER, { id: owner.userId }, stranger.token);
    expect(denied).toEqual({ data: { node: null } });
    expect(JSON.stringify(denied)).not.toContain(owner.email);
  });
});

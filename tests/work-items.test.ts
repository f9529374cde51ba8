// Work items over HTTP: keys, hierarchy, status workflow, feature links, listing and deletion.
import { describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk, } from './helpers/api.js';
import { createProject, feature, writeFeatureList, useApiWithOwner } from './helpers/foundation.js';
import {
  CreateWorkItemDocument,
  DeleteWorkItemDocument,
  ProjectWorkItemsDocument,
  SyncFeaturesDocument,
  UpdateWorkItemDocument,
  WorkItemNodeDocument,
  type CreateWorkItemInput,
  type WorkItemStatus,
} from './generated/graphql.js';

const t = useApiWithOwner();

const create = async (input: CreateWorkItemInput) => (await gqlOk(t.api, CreateWorkItemDocument, { input }, t.owner.token)).createWorkItem;
const setStatus = (id: string, status: WorkItemStatus) => gql(t.api, UpdateWorkItemDocument, { input: { id, status } }, t.owner.token);

describe('work items', () => {
  it('numbers keys per project, builds epic → story → task trees and links features', async () => {
    const project = await createProject(t.api, t.owner, 'Shop');
    const other = await createProject(t.api, t.owner, 'Blog');
    await writeFeatureList(t.api, project.id, [feature(0), feature(1), feature(2)]);
    const synced = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: project.id }, t.owner.token)).syncFeatures.added;

    const epic = await create({ projectId: project.id, type: 'EPIC', title: 'Checkout', priority: 'HIGH' });
    expect(epic).toMatchObject({ key: 'SHOP-1', number: 1, status: 'TODO', priority: 'HIGH', parent: null, children: [] });
    const story = await create({
      projectId: project.id,
      type: 'STORY',
      title: '  Pay by card ',
      description: 'Stripe',
      parentId: epic.id,
      featureIds: [synced[2].id, synced[0].id],
    });
    expect(story).toMatchObject({ key: 'SHOP-2', title: 'Pay by card', parent: { key: 'SHOP-1' }, priority: 'MEDIUM' });
    expect(story.features.map((f) => f.index)).toEqual([0, 2]);
    const task = await create({ projectId: project.id, type: 'TASK', title: 'Card form', parentId: story.id });
    expect(task.key).toBe('SHOP-3');
    expect((await create({ projectId: other.id, type: 'BUG', title: 'Typo' })).key).toBe('BLOG-1');

    const node = await gqlOk(t.api, WorkItemNodeDocument, { id: epic.id }, t.owner.token);
    expect(node.node).toMatchObject({ key: 'SHOP-1', children: [{ key: 'SHOP-2' }] });

    const relinked = (await gqlOk(t.api, UpdateWorkItemDocument, { input: { id: story.id, featureIds: [synced[1].id] } }, t.owner.token)).updateWorkItem;
    expect(relinked.features.map((f) => f.index)).toEqual([1]);
    const detached = (await gqlOk(t.api, UpdateWorkItemDocument, { input: { id: task.id, parentId: null, title: 'Card form v2' } }, t.owner.token)).updateWorkItem;
    expect(detached).toMatchObject({ parent: null, title: 'Card form v2' });
  });

  it('allocates unique consecutive keys under concurrent creates', async () => {
    const project = await createProject(t.api, t.owner, 'Race');
    const keys = await Promise.all(Array.from({ length: 12 }, (_, i) => create({ projectId: project.id, type: 'TASK', title: `t${i}` })));
    expect(keys.map((k) => k.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(keys.map((k) => k.key)).size).toBe(12);
  });

  it('follows the status workflow and rejects moves it does not allow', async () => {
    const project = await createProject(t.api, t.owner, 'Flow');
    const item = await create({ projectId: project.id, type: 'TASK', title: 'Do it' });
    const path: WorkItemStatus[] = ['IN_PROGRESS', 'IN_REVIEW', 'IN_PROGRESS', 'IN_REVIEW', 'DONE'];
    for (const status of path) {
      const moved = await setStatus(item.id, status);
      expect(moved.errors).toBeUndefined();
      expect(moved.data!.updateWorkItem.status).toBe(status);
    }
    for (const status of ['TODO', 'IN_PROGRESS', 'CANCELLED'] as const) {
      const refused = await setStatus(item.id, status);
      expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
      expect(refused.errors![0].message).toMatch(/DONE is final/);
    }
    const skip = await create({ projectId: project.id, type: 'TASK', title: 'Skip' });
    const jump = await setStatus(skip.id, 'DONE');
    expect(errorCodes(jump)).toEqual(['BAD_USER_INPUT']);
    expect(jump.errors![0].message).toMatch(/from TODO to DONE/);
    expect((await setStatus(skip.id, 'CANCELLED')).data!.updateWorkItem.status).toBe('CANCELLED');
    expect(errorCodes(await setStatus(skip.id, 'TODO'))).toEqual(['BAD_USER_INPUT']);
  });

  it('enforces the hierarchy and keeps parents and features inside the project', async () => {
    const project = await createProject(t.api, t.owner, 'Tree');
    const other = await createProject(t.api, t.owner, 'Elsewhere');
    await writeFeatureList(t.api, other.id, [feature(0)]);
    const foreignFeature = (await gqlOk(t.api, SyncFeaturesDocument, { projectId: other.id }, t.owner.token)).syncFeatures.added[0];
    const foreignEpic = await create({ projectId: other.id, type: 'EPIC', title: 'Foreign' });
    const epic = await create({ projectId: project.id, type: 'EPIC', title: 'Epic' });
    const task = await create({ projectId: project.id, type: 'TASK', title: 'Task', parentId: epic.id });

    const refusals: Array<[CreateWorkItemInput, RegExp]> = [
      [{ projectId: project.id, type: 'TASK', title: 'x', parentId: foreignEpic.id }, /same project/],
      [{ projectId: project.id, type: 'TASK', title: 'x', featureIds: [foreignFeature.id] }, /belong to this project/],
      [{ projectId: project.id, type: 'EPIC', title: 'x', parentId: epic.id }, /type EPIC cannot be the parent of one of type EPIC/],
      [{ projectId: project.id, type: 'BUG', title: 'x', parentId: task.id }, /type TASK cannot be the parent/],
    ];
    for (const [input, message] of refusals) {
      const result = await gql(t.api, CreateWorkItemDocument, { input }, t.owner.token);
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0].message).toMatch(message);
    }
    const selfParent = await gql(t.api, UpdateWorkItemDocument, { input: { id: epic.id, parentId: epic.id } }, t.owner.token);
    expect(errorCodes(selfParent)).toEqual(['BAD_USER_INPUT']);
    const epicWithTaskChild = await gql(t.api, UpdateWorkItemDocument, { input: { id: epic.id, type: 'TASK' } }, t.owner.token);
    expect(errorCodes(epicWithTaskChild)).toEqual(['BAD_USER_INPUT']);
    const listed = (await gqlOk(t.api, ProjectWorkItemsDocument, { id: project.id, first: 10 }, t.owner.token)).project!.workItems;
    expect(listed.edges.map((e) => e.node.key)).toEqual(['TREE-1', 'TREE-2']);
  });

  it('lists with status/type filters and pages, and deletes returning the item', async () => {
    const project = await createProject(t.api, t.owner, 'List');
    const epic = await create({ projectId: project.id, type: 'EPIC', title: 'E' });
    const bug = await create({ projectId: project.id, type: 'BUG', title: 'B', parentId: epic.id });
    await create({ projectId: project.id, type: 'TASK', title: 'T' });
    await setStatus(bug.id, 'IN_PROGRESS');
    const list = (vars: { first?: number; after?: string | null; status?: WorkItemStatus; type?: 'EPIC' | 'BUG' | 'TASK' }) =>
      gqlOk(t.api, ProjectWorkItemsDocument, { id: project.id, ...vars }, t.owner.token).then((d) => d.project!.workItems);
    expect((await list({ status: 'IN_PROGRESS' })).edges.map((e) => e.node.key)).toEqual(['LIST-2']);
    expect((await list({ type: 'TASK' })).edges.map((e) => e.node.key)).toEqual(['LIST-3']);
    const page1 = await list({ first: 2 });
    expect(page1.totalCount).toBe(3);
    expect(page1.edges.map((e) => e.node.key)).toEqual(['LIST-1', 'LIST-2']);
    const page2 = await list({ first: 2, after: page1.pageInfo.endCursor });
    expect(page2.edges.map((e) => e.node.key)).toEqual(['LIST-3']);
    expect(page2.pageInfo.hasNextPage).toBe(false);

    const deleted = (await gqlOk(t.api, DeleteWorkItemDocument, { id: epic.id }, t.owner.token)).deleteWorkItem;
    expect(deleted).toEqual({ id: epic.id, key: 'LIST-1' });
    const orphan = await gqlOk(t.api, WorkItemNodeDocument, { id: bug.id }, t.owner.token);
    expect(orphan.node).toMatchObject({ key: 'LIST-2', parent: null });
    expect(errorCodes(await gql(t.api, DeleteWorkItemDocument, { id: epic.id }, t.owner.token))).toEqual(['NOT_FOUND']);
    // Numbers are never reused after a delete.
    expect((await create({ projectId: project.id, type: 'TASK', title: 'After' })).key).toBe('LIST-4');
  });
});

// Every project-scoped query and mutation checks membership and role: strangers get FORBIDDEN/NOT_FOUND, anonymous
// callers UNAUTHENTICATED, VIEWERs cannot write, EDITORs cannot manage members; and denied calls change nothing.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk, signUp } from './helpers/api.js';
import { addMember, createProject, feature, fingerprint, sql, writeFeatureList, type User } from './helpers/foundation.js';
import { rawId, toGlobalId } from './helpers/global-id.js';
import { useTestApi } from './helpers/stack.js';
import { schema } from '../src/schema/index.js';
import * as docs from './generated/graphql.js';

type Role = 'OWNER' | 'EDITOR' | 'VIEWER';
interface Operation {
  /** The root field it exercises. */
  field: string;
  kind: 'query' | 'mutation';
  /** The least role that may run it. */
  min: Role;
  doc: TypedDocumentNode<any, any>;
  vars: () => Record<string, unknown>;
}

/** Root fields that are not project-scoped (accounts, or lists filtered to the viewer's own projects). */
const NOT_PROJECT_SCOPED = new Set(['viewer', 'updateViewer', 'signUp', 'logIn', 'logOut', 'createApiToken', 'revokeApiToken', 'revokeSession', 'createProject', 'projects']);

const api = useTestApi();
const users = {} as Record<'owner' | 'editor' | 'viewer' | 'stranger', User>;
const ids = {} as Record<'project' | 'feature' | 'workItem' | 'agent' | 'run', string>;

beforeAll(async () => {
  for (const name of ['owner', 'editor', 'viewer', 'stranger'] as const) users[name] = await signUp(api, name);
  const project = await createProject(api, users.owner, 'Guarded');
  ids.project = project.id;
  ids.agent = project.agents[0].id;
  await addMember(api, users.owner, project.id, users.editor, 'EDITOR');
  await addMember(api, users.owner, project.id, users.viewer, 'VIEWER');
  await writeFeatureList(api, project.id, [feature(0), feature(1)]);
  ids.feature = (await gqlOk(api, docs.SyncFeaturesDocument, { projectId: project.id }, users.owner.token)).syncFeatures.added[0].id;
  ids.workItem = (await gqlOk(api, docs.CreateWorkItemDocument, { input: { projectId: project.id, type: 'EPIC', title: 'Guarded epic' } }, users.owner.token))
    .createWorkItem.id;
  // A finished run, written directly: starting one through the API would leave a job no worker takes.
  const [run] = await sql(api, `INSERT INTO "AgentRun" (id, "projectId", status, "updatedAt") VALUES (gen_random_uuid(), $1, 'SUCCEEDED', now()) RETURNING id`, [
    rawId(project.id),
  ]);
  ids.run = toGlobalId('AgentRun', run.id);
});

const operations: Operation[] = [
  { field: 'project', kind: 'query', min: 'VIEWER', doc: docs.ProjectSummaryDocument, vars: () => ({ id: ids.project }) },
  { field: 'project', kind: 'query', min: 'VIEWER', doc: docs.ProjectFeaturesDocument, vars: () => ({ id: ids.project, first: 5 }) },
  { field: 'project', kind: 'query', min: 'VIEWER', doc: docs.ProjectWorkItemsDocument, vars: () => ({ id: ids.project, first: 5 }) },
  { field: 'project', kind: 'query', min: 'VIEWER', doc: docs.ProjectAgentsDocument, vars: () => ({ id: ids.project }) },
  { field: 'node', kind: 'query', min: 'VIEWER', doc: docs.NodeByIdDocument, vars: () => ({ id: ids.project }) },
  { field: 'node', kind: 'query', min: 'VIEWER', doc: docs.NodeByIdDocument, vars: () => ({ id: ids.feature }) },
  { field: 'node', kind: 'query', min: 'VIEWER', doc: docs.NodeByIdDocument, vars: () => ({ id: ids.workItem }) },
  { field: 'node', kind: 'query', min: 'VIEWER', doc: docs.NodeByIdDocument, vars: () => ({ id: ids.agent }) },
  { field: 'node', kind: 'query', min: 'VIEWER', doc: docs.WorkItemNodeDocument, vars: () => ({ id: ids.workItem }) },
  { field: 'agentRun', kind: 'query', min: 'VIEWER', doc: docs.AuthzAgentRunDocument, vars: () => ({ id: ids.run }) },
  { field: 'node', kind: 'query', min: 'VIEWER', doc: docs.NodeByIdDocument, vars: () => ({ id: ids.run }) },
  { field: 'startAgentRun', kind: 'mutation', min: 'EDITOR', doc: docs.AuthzStartAgentRunDocument, vars: () => ({ input: { projectId: ids.project } }) },
  { field: 'stopAgentRun', kind: 'mutation', min: 'EDITOR', doc: docs.AuthzStopAgentRunDocument, vars: () => ({ id: ids.run }) },
  { field: 'pauseAgentRun', kind: 'mutation', min: 'EDITOR', doc: docs.AuthzPauseAgentRunDocument, vars: () => ({ id: ids.run }) },
  { field: 'resumeAgentRun', kind: 'mutation', min: 'EDITOR', doc: docs.AuthzResumeAgentRunDocument, vars: () => ({ id: ids.run }) },
  { field: 'updateAgentRun', kind: 'mutation', min: 'EDITOR', doc: docs.AuthzUpdateAgentRunDocument, vars: () => ({ id: ids.run, input: { budgetUsd: 9999 } }) },
  { field: 'sendRunMessage', kind: 'mutation', min: 'EDITOR', doc: docs.AuthzSendRunMessageDocument, vars: () => ({ runId: ids.run, text: 'psst' }) },
  { field: 'updateProject', kind: 'mutation', min: 'EDITOR', doc: docs.UpdateProjectDocument, vars: () => ({ input: { id: ids.project, name: 'Taken' } }) },
  { field: 'syncFeatures', kind: 'mutation', min: 'EDITOR', doc: docs.SyncFeaturesDocument, vars: () => ({ projectId: ids.project }) },
  {
    field: 'createWorkItem',
    kind: 'mutation',
    min: 'EDITOR',
    doc: docs.CreateWorkItemDocument,
    vars: () => ({ input: { projectId: ids.project, type: 'TASK', title: 'Sneaky' } }),
  },
  { field: 'updateWorkItem', kind: 'mutation', min: 'EDITOR', doc: docs.UpdateWorkItemDocument, vars: () => ({ input: { id: ids.workItem, status: 'IN_PROGRESS' } }) },
  { field: 'deleteWorkItem', kind: 'mutation', min: 'EDITOR', doc: docs.DeleteWorkItemDocument, vars: () => ({ id: ids.workItem }) },
  { field: 'createAgent', kind: 'mutation', min: 'EDITOR', doc: docs.CreateAgentDocument, vars: () => ({ input: { projectId: ids.project, name: 'Mole', role: 'CODING' } }) },
  { field: 'updateAgent', kind: 'mutation', min: 'EDITOR', doc: docs.UpdateAgentDocument, vars: () => ({ input: { id: ids.agent, budgetUsd: 9999 } }) },
  { field: 'deleteAgent', kind: 'mutation', min: 'EDITOR', doc: docs.DeleteAgentDocument, vars: () => ({ id: ids.agent }) },
  {
    field: 'addProjectMember',
    kind: 'mutation',
    min: 'OWNER',
    doc: docs.AddProjectMemberDocument,
    vars: () => ({ input: { projectId: ids.project, email: users.stranger.email, role: 'OWNER' } }),
  },
  {
    field: 'removeProjectMember',
    kind: 'mutation',
    min: 'OWNER',
    doc: docs.RemoveProjectMemberDocument,
    vars: () => ({ input: { projectId: ids.project, userId: users.owner.userId } }),
  },
  { field: 'deleteProject', kind: 'mutation', min: 'OWNER', doc: docs.DeleteProjectDocument, vars: () => ({ id: ids.project }) },
];

const RANK: Record<Role, number> = { VIEWER: 1, EDITOR: 2, OWNER: 3 };

describe('authorization matrix', () => {
  it('covers every project-scoped root field of the schema', () => {
    const covered = new Set(operations.map((op) => op.field));
    const rootFields = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()!.getFields())];
    const uncovered = rootFields.filter((field) => !covered.has(field) && !NOT_PROJECT_SCOPED.has(field));
    expect(uncovered, 'add these project-scoped operations to the matrix in tests/authorization.test.ts').toEqual([]);
  });

  it('denies strangers, anonymous callers and too-low roles, and nothing changes', async () => {
    const before = await fingerprint(api);
    const outcomes: string[] = [];
    for (const op of operations) {
      const label = `${op.field} ${JSON.stringify(op.vars())}`;
      const anonymous = await gql(api, op.doc, op.vars());
      outcomes.push(`anonymous ${label}: ${errorCodes(anonymous)}`);
      expect(new Set(errorCodes(anonymous)), `anonymous ${label}`).toEqual(new Set(['UNAUTHENTICATED']));

      const stranger = await gql(api, op.doc, op.vars(), users.stranger.token);
      if (op.field === 'node') {
        // node(id) of something the viewer may not see is null, exactly like an id that does not exist.
        expect(stranger, `stranger ${label}`).toEqual({ data: { node: null } });
      } else {
        // Several nullable fields of a denied node may each report the denial; all must be FORBIDDEN/NOT_FOUND.
        const codes = errorCodes(stranger);
        expect(codes.length, `stranger ${label}`).toBeGreaterThan(0);
        expect(codes.every((code) => code === 'FORBIDDEN' || code === 'NOT_FOUND'), `stranger ${label}: ${codes}`).toBe(true);
      }
      expect(JSON.stringify(stranger.data ?? null)).not.toMatch(/Guarded|Feature number|Initializer|Coder/);

      for (const role of ['VIEWER', 'EDITOR'] as const) {
        const allowed = RANK[role] >= RANK[op.min];
        if (allowed && op.kind === 'mutation') continue; // allowed writes are exercised by the feature tests
        const user = role === 'VIEWER' ? users.viewer : users.editor;
        const result = await gql(api, op.doc, op.vars(), user.token);
        if (!allowed && op.field === 'node') {
          expect(result, `${role} ${label}`).toEqual({ data: { node: null } });
        } else if (!allowed) {
          expect(new Set(errorCodes(result)), `${role} ${label}`).toEqual(new Set(['FORBIDDEN']));
        } else if (op.kind === 'query') {
          expect(result.errors, `${role} ${label}`).toBeUndefined();
        }
      }
    }
    expect(outcomes).toHaveLength(operations.length);
    expect(await fingerprint(api)).toEqual(before);
  });

  it('lets members read and EDITORs write, and lists a project only to its members', async () => {
    const viewerRead = await gqlOk(api, docs.ProjectSummaryDocument, { id: ids.project }, users.viewer.token);
    expect(viewerRead.project).toMatchObject({ name: 'Guarded', viewerRole: 'VIEWER' });
    const editorWrite = await gqlOk(api, docs.UpdateProjectDocument, { input: { id: ids.project, description: 'by the editor' } }, users.editor.token);
    expect(editorWrite.updateProject.description).toBe('by the editor');
    const strangerList = await gqlOk(api, docs.ProjectsDocument, { first: 10 }, users.stranger.token);
    expect(strangerList.projects.edges).toEqual([]);
    const viewerList = await gqlOk(api, docs.ProjectsDocument, { first: 10 }, users.viewer.token);
    expect(viewerList.projects.edges.map((e) => e.node.id)).toEqual([ids.project]);
  });
});

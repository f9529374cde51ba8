// Contract tests of the seed's REST routes (/api/*) against the real API: status codes, bodies, ids in both forms,
// and authorization for a stranger and a VIEWER, the same as GraphQL's.
import { beforeAll, describe, expect, it } from 'vitest';
import { signUp } from './helpers/api.js';
import { addMember, feature, setFeaturesPassing, useApiWithOwner, writeFeatureList, type User } from './helpers/foundation.js';
import { rawId } from './helpers/global-id.js';
import { rest } from './helpers/rest.js';
import { REST_ROUTES } from '../src/rest/routes.js';

const ctx = useApiWithOwner();
let stranger: User;
let viewer: User;
let project: { id: string; slug: string };

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
};

beforeAll(async () => {
  stranger = await signUp(ctx.api, 'stranger');
  viewer = await signUp(ctx.api, 'viewer');
  const created = await rest(ctx.api, 'POST', '/api/projects', { token: ctx.owner.token, body: { name: 'Rest Todo', appSpec: 'A todo list' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  project = created.body;
  await addMember(ctx.api, ctx.owner, project.id, viewer, 'VIEWER');
});

describe('REST /api/projects', () => {
  it('creates and lists projects; a token is required', async () => {
    expect(project).toMatchObject({ name: 'Rest Todo', appSpec: 'A todo list', viewerRole: 'OWNER', featureStats: { total: 0, passing: 0, failing: 0 } });
    const list = await rest(ctx.api, 'GET', '/api/projects', { token: ctx.owner.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: any) => p.id)).toContain(project.id);
    expect(list.body.pageInfo).toMatchObject({ hasNextPage: false });
    expect((await rest(ctx.api, 'GET', '/api/projects', { token: stranger.token })).body.items).toEqual([]);

    const anonymous = await rest(ctx.api, 'GET', '/api/projects');
    expectError(anonymous, 401, 'UNAUTHENTICATED');
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expectError(await rest(ctx.api, 'GET', '/api/projects', { token: 'shy_ses_not-a-real-token' }), 401, 'UNAUTHENTICATED');
  });

  it('reads a project by global id and by raw UUID; stranger 403, unknown 404, malformed 400', async () => {
    const byGlobal = await rest(ctx.api, 'GET', `/api/projects/${project.id}`, { token: viewer.token });
    const byUuid = await rest(ctx.api, 'GET', `/api/projects/${rawId(project.id)}`, { token: viewer.token });
    expect(byGlobal.status).toBe(200);
    expect(byGlobal.body).toMatchObject({ id: project.id, slug: project.slug, viewerRole: 'VIEWER' });
    expect(byUuid.body).toEqual(byGlobal.body);
    expectError(await rest(ctx.api, 'GET', `/api/projects/${project.id}`, { token: stranger.token }), 403, 'FORBIDDEN');
    expectError(await rest(ctx.api, 'GET', `/api/projects/00000000-0000-4000-8000-000000000000`, { token: ctx.owner.token }), 404, 'NOT_FOUND');
    expectError(await rest(ctx.api, 'GET', `/api/projects/not-an-id`, { token: ctx.owner.token }), 400, 'BAD_USER_INPUT');
  });

  it('updates a project as OWNER; VIEWER and stranger get 403', async () => {
    const patched = await rest(ctx.api, 'PATCH', `/api/projects/${rawId(project.id)}`, { token: ctx.owner.token, body: { description: 'Due dates too' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: project.id, name: 'Rest Todo', description: 'Due dates too' });
    expectError(await rest(ctx.api, 'PATCH', `/api/projects/${project.id}`, { token: viewer.token, body: { name: 'Mine' } }), 403, 'FORBIDDEN');
    expectError(await rest(ctx.api, 'PATCH', `/api/projects/${project.id}`, { token: stranger.token, body: { name: 'Mine' } }), 403, 'FORBIDDEN');
  });

  it('rejects bad bodies: invalid JSON, unknown fields, invalid values (400) and bodies over 1 MiB (413)', async () => {
    const token = ctx.owner.token;
    expectError(await rest(ctx.api, 'POST', '/api/projects', { token, rawBody: '{"name":' }), 400, 'BAD_USER_INPUT');
    expectError(await rest(ctx.api, 'POST', '/api/projects', { token, rawBody: '[1,2]' }), 400, 'BAD_USER_INPUT');
    expectError(await rest(ctx.api, 'POST', '/api/projects', { token, body: { name: 'X', colour: 'red' } }), 400, 'BAD_USER_INPUT');
    expectError(await rest(ctx.api, 'POST', '/api/projects', { token, body: { name: '   ' } }), 400, 'BAD_USER_INPUT');
    expectError(await rest(ctx.api, 'POST', '/api/projects', { token, body: { name: 'Big', appSpec: 'x'.repeat(1024 * 1024 + 10) } }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers unknown routes with 404 and unsupported methods with 405, in the error shape', async () => {
    expectError(await rest(ctx.api, 'GET', '/api/nothing-here', { token: ctx.owner.token }), 404, 'NOT_FOUND');
    expectError(await rest(ctx.api, 'DELETE', `/api/projects/${project.id}`, { token: ctx.owner.token }), 405, 'METHOD_NOT_ALLOWED');
  });
});

describe('REST features and work items', () => {
  it('syncs and lists features (EDITOR to sync, VIEWER to read)', async () => {
    await writeFeatureList(ctx.api, project.id, [feature(1), feature(2, true), feature(3)]);
    expectError(await rest(ctx.api, 'POST', `/api/projects/${project.id}/features/sync`, { token: viewer.token }), 403, 'FORBIDDEN');
    const synced = await rest(ctx.api, 'POST', `/api/projects/${rawId(project.id)}/features/sync`, { token: ctx.owner.token });
    expect(synced.status).toBe(200);
    // The file's passes is an unverified claim: reported, not taken. A verified run would flip the row; here SQL does.
    expect(synced.body).toMatchObject({ addedCount: 3, removedCount: 0, unverifiedClaims: [1], featureStats: { total: 3, passing: 0, failing: 3 } });
    await setFeaturesPassing(ctx.api, project.id, [1]);

    const all = await rest(ctx.api, 'GET', `/api/projects/${project.id}/features`, { token: viewer.token });
    expect(all.status).toBe(200);
    expect(all.body.totalCount).toBe(3);
    expect(all.body.items.map((f: any) => [f.index, f.passes])).toEqual([[0, false], [1, true], [2, false]]);
    const failing = await rest(ctx.api, 'GET', `/api/projects/${project.id}/features?passes=false&first=1`, { token: viewer.token });
    expect(failing.body.items.map((f: any) => f.index)).toEqual([0]);
    expect(failing.body.pageInfo.hasNextPage).toBe(true);
    const next = await rest(ctx.api, 'GET', `/api/projects/${project.id}/features?passes=false&after=${encodeURIComponent(failing.body.pageInfo.endCursor)}`, { token: viewer.token });
    expect(next.body.items.map((f: any) => f.index)).toEqual([2]);
    expectError(await rest(ctx.api, 'GET', `/api/projects/${project.id}/features?passes=maybe`, { token: viewer.token }), 400, 'BAD_USER_INPUT');
    expectError(await rest(ctx.api, 'GET', `/api/projects/${project.id}/features`, { token: stranger.token }), 403, 'FORBIDDEN');
  });

  it('creates and lists work items, with raw UUIDs for linked features', async () => {
    const features = (await rest(ctx.api, 'GET', `/api/projects/${project.id}/features`, { token: ctx.owner.token })).body.items;
    const created = await rest(ctx.api, 'POST', `/api/projects/${rawId(project.id)}/work-items`, {
      token: ctx.owner.token,
      body: { type: 'TASK', title: 'Add due dates', featureIds: [rawId(features[0].id)] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ key: `${project.slug}-1`, type: 'TASK', status: 'TODO', priority: 'MEDIUM' });
    expectError(await rest(ctx.api, 'POST', `/api/projects/${project.id}/work-items`, { token: viewer.token, body: { type: 'BUG', title: 'x' } }), 403, 'FORBIDDEN');
    expectError(await rest(ctx.api, 'POST', `/api/projects/${project.id}/work-items`, { token: ctx.owner.token, body: { type: 'SAGA', title: 'x' } }), 400, 'BAD_USER_INPUT');

    const todo = await rest(ctx.api, 'GET', `/api/projects/${project.id}/work-items?status=TODO`, { token: viewer.token });
    expect(todo.status).toBe(200);
    expect(todo.body.items.map((w: any) => w.title)).toEqual(['Add due dates']);
    expect((await rest(ctx.api, 'GET', `/api/projects/${project.id}/work-items?status=DONE`, { token: viewer.token })).body.items).toEqual([]);
    expectError(await rest(ctx.api, 'GET', `/api/projects/${project.id}/work-items`, { token: stranger.token }), 403, 'FORBIDDEN');
  });
});

describe('REST agent runs', () => {
  it('starts, reads, lists and stops runs; a second active run is 409; VIEWER and stranger cannot start or stop', async () => {
    expectError(await rest(ctx.api, 'POST', `/api/projects/${project.id}/agent-runs`, { token: viewer.token, body: {} }), 403, 'FORBIDDEN');
    expectError(await rest(ctx.api, 'POST', '/api/agent-runs', { token: stranger.token, body: { projectId: project.id } }), 403, 'FORBIDDEN');
    expectError(await rest(ctx.api, 'POST', '/api/agent-runs', { token: ctx.owner.token, body: { projectId: project.id, maxSessions: 0 } }), 400, 'BAD_USER_INPUT');

    const started = await rest(ctx.api, 'POST', `/api/projects/${rawId(project.id)}/agent-runs`, { token: ctx.owner.token, body: { maxSessions: 2, budgetUsd: 1.5 } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body).toMatchObject({ status: 'QUEUED', maxSessions: 2, budgetUsd: 1.5, project: { id: project.id }, usage: { costUsd: 0 } });
    const runId = started.body.id;
    expectError(await rest(ctx.api, 'POST', '/api/agent-runs', { token: ctx.owner.token, body: { projectId: rawId(project.id) } }), 409, 'CONFLICT');

    const read = await rest(ctx.api, 'GET', `/api/agent-runs/${rawId(runId)}`, { token: viewer.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: runId, status: 'QUEUED' });
    expectError(await rest(ctx.api, 'GET', `/api/agent-runs/${runId}`, { token: stranger.token }), 403, 'FORBIDDEN');
    expectError(await rest(ctx.api, 'GET', `/api/agent-runs/00000000-0000-4000-8000-000000000000`, { token: ctx.owner.token }), 404, 'NOT_FOUND');

    const listed = await rest(ctx.api, 'GET', `/api/projects/${project.id}/agent-runs?status=QUEUED`, { token: viewer.token });
    expect(listed.body.items.map((r: any) => r.id)).toEqual([runId]);

    expectError(await rest(ctx.api, 'POST', `/api/agent-runs/${runId}/stop`, { token: viewer.token }), 403, 'FORBIDDEN');
    const stopped = await rest(ctx.api, 'POST', `/api/agent-runs/${runId}/stop`, { token: ctx.owner.token });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ id: runId, status: 'CANCELLED', stopRequested: true });
    expectError(await rest(ctx.api, 'POST', `/api/agent-runs/${runId}/stop`, { token: ctx.owner.token }), 409, 'CONFLICT');

    const again = await rest(ctx.api, 'POST', '/api/agent-runs', { token: ctx.owner.token, body: { projectId: rawId(project.id) } });
    expect(again.status).toBe(201);
    expect((await rest(ctx.api, 'POST', `/api/agent-runs/${again.body.id}/stop`, { token: ctx.owner.token })).status).toBe(200);
  });
});

describe('REST authorization, route by route', () => {
  it('refuses a stranger on every project-scoped route (403), lets a VIEWER read (200) but not write (403)', async () => {
    const started = await rest(ctx.api, 'POST', '/api/agent-runs', { token: ctx.owner.token, body: { projectId: project.id } });
    expect(started.status).toBe(201);
    const runId = started.body.id;
    const bodies: Record<string, unknown> = {
      'POST /api/projects/:id/work-items': { type: 'TASK', title: 'x' },
      'PATCH /api/projects/:id': { name: 'x' },
      'POST /api/agent-runs': { projectId: project.id },
    };
    // Signing up and in (anonymous, tests/rest-rate-limits.test.ts) is not project-scoped.
    const withToken = REST_ROUTES.filter((r) => !r.anonymous);
    expect(withToken.map((r) => r.path).filter((p) => p.startsWith('/api/auth/'))).toEqual([]);
    const scoped = withToken.filter((r) => r.path !== '/api/projects');
    expect(scoped).toHaveLength(withToken.length - 2);
    for (const route of scoped) {
      const key = `${route.method} ${route.path}`;
      const path = route.path.replace(':id', route.path.startsWith('/api/agent-runs') ? runId : project.id);
      const body = bodies[key] ?? (route.method === 'GET' ? undefined : {});
      const asStranger = await rest(ctx.api, route.method, path, { token: stranger.token, body });
      expect([asStranger.status, asStranger.body.error?.code], key).toEqual([403, 'FORBIDDEN']);
      const asViewer = await rest(ctx.api, route.method, path, { token: viewer.token, body });
      expect(asViewer.status, `${key}: ${JSON.stringify(asViewer.body)}`).toBe(route.method === 'GET' ? 200 : 403);
    }
    expect((await rest(ctx.api, 'POST', `/api/agent-runs/${runId}/stop`, { token: ctx.owner.token })).status).toBe(200);
  });
});

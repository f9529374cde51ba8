// The queue dashboard (Bull Board) at /admin/queues: platform administrators only (the instance's first user, or an
// email in SHIPYARD_ADMIN_EMAILS), by Bearer token or by the admin cookie a browser gets from /admin/session.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk, PASSWORD, signUp, startTestApi, type TestApi } from './helpers/api.js';
import { LogInDocument, LogOutDocument } from './generated/graphql.js';
import { getDb } from '../src/db/client.js';

const namedAdmin = `named-admin-${randomBytes(4).toString('hex')}@example.com`;

let api: TestApi;
let first: { token: string; email: string };
let second: { token: string; email: string };
beforeAll(async () => {
  api = await startTestApi({ settings: { SHIPYARD_ADMIN_EMAILS: `someone@example.com, ${namedAdmin.toUpperCase()}` } });
  first = await signUp(api, 'first');
  second = await signUp(api, 'second');
});
afterAll(() => api?.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers, redirect: 'manual' });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('queue dashboard', () => {
  it('makes the first user of an instance its administrator, and nobody after', async () => {
    const rows = await getDb().user.findMany({ where: { email: { in: [first.email, second.email] } }, select: { email: true, isAdmin: true } });
    expect(Object.fromEntries(rows.map((r) => [r.email, r.isAdmin]))).toEqual({ [first.email]: true, [second.email]: false });
  });

  it('answers 401 without credentials, 403 to a non-admin, and the dashboard to an admin', async () => {
    const anonymous = await get('/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toMatch(/Authorization: Bearer|\/admin\/login/);
    expect((await get('/admin/queues', bearer('shy_ses_not-a-real-token'))).status).toBe(401);
    expect((await get('/admin/queues', bearer(second.token))).status).toBe(403);
    expect((await get('/admin/queues/api/queues', bearer(second.token))).status).toBe(403);

    const page = await get('/admin/queues', bearer(first.token));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/bull/i);
    const queues = await get('/admin/queues/api/queues', bearer(first.token));
    expect(queues.status).toBe(200);
    expect(JSON.stringify(await queues.json())).toContain(api.queueName);
    // Its scripts and styles are served from the installed package.
    expect(html).toContain('<base href="/admin/queues/"');
    const stylesheet = /href="(static\/css\/[^"]+\.css)"/.exec(html)?.[1];
    expect(stylesheet).toBeTruthy();
    const css = await get(`/admin/queues/${stylesheet}`, bearer(first.token));
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/css/);
  });

  it('admits an email named in SHIPYARD_ADMIN_EMAILS', async () => {
    const { token } = await signUp(api, 'named', namedAdmin);
    expect((await get('/admin/queues', bearer(token))).status).toBe(200);
  });

  it('gives a browser an HttpOnly, SameSite=Strict admin cookie for /admin, which stops working once the session ends', async () => {
    expect((await get('/admin/login')).status).toBe(200);
    const refused = await fetch(`${api.url}/admin/session`, { method: 'POST', body: new URLSearchParams({ token: second.token }), redirect: 'manual' });
    expect(refused.status).toBe(403);

    const session = (await gqlOk(api, LogInDocument, { input: { email: first.email, password: PASSWORD } })).logIn.token;
    const signedIn = await fetch(`${api.url}/admin/session`, { method: 'POST', body: new URLSearchParams({ token: session }), redirect: 'manual' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/admin/queues');
    const cookie = signedIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^shipyard_admin=[^;]+; Path=\/admin; HttpOnly; SameSite=Strict/);
    const pair = cookie.split(';')[0]!;
    expect((await get('/admin/queues', { cookie: pair })).status).toBe(200);

    await gqlOk(api, LogOutDocument, {}, session);
    expect((await get('/admin/queues', { cookie: pair })).status).toBe(401);
  });
});

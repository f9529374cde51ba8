// REST's 429s: signing in over /api/auth/login is rate-limited like GraphQL's logIn (per account, and per client
// address — the same buckets as /graphql), answered 429 with Retry-After and { error: { code, message } }; the run
// stream's per-user cap is a 429 too; the OpenAPI document lists both.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { errorCodes, gql, PASSWORD, signUp } from './helpers/api.js';
import { rest } from './helpers/rest.js';
import { rawId } from './helpers/global-id.js';
import { getDb } from '../src/db/client.js';
import { LogInDocument } from './generated/graphql.js';
import { useTestApi } from './helpers/stack.js';

const api = useTestApi({
    settings: { SHIPYARD_SCRYPT_COST: '14', SHIPYARD_LOGIN_MAX_PER_ACCOUNT: '2', SHIPYARD_LOGIN_MAX_PER_ADDRESS: '8', SHIPYARD_MAX_SUBSCRIPTIONS_PER_USER: '1' },
  });

let counter = 0;
const newEmail = (name: string) => `${name}-${++counter}-${randomBytes(3).toString('hex')}@example.com`;
const login = (email: string, password = PASSWORD) => rest(api, 'POST', '/api/auth/login', { body: { email, password } });

describe('REST sign-up and sign-in', () => {
  it('signs up (201) and in (200) without a token; a taken email is a 409, wrong credentials a 401', async () => {
    const email = newEmail('rest-signup');
    const created = await rest(api, 'POST', '/api/auth/signup', { body: { email, password: PASSWORD, name: 'Rest' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ token: expect.stringMatching(/^shy_ses_/), user: { email, name: 'Rest' } });
    expect((await rest(api, 'GET', '/api/projects', { token: created.body.token })).status).toBe(200);
    expect((await rest(api, 'POST', '/api/auth/signup', { body: { email, password: PASSWORD, name: 'Again' } })).body.error.code).toBe('CONFLICT');

    const signedIn = await login(email);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.email).toBe(email);
    expect(signedIn.body.token).not.toBe(created.body.token);
    const wrong = await login(email, 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('answers too many attempts for an account with 429, Retry-After and the error body', async () => {
    const email = newEmail('rest-limited');
    await signUp(api, 'L', email);
    for (let i = 0; i < 2; i++) expect((await login(email, 'wrong password')).status).toBe(401);
    const limited = await login(email); // even the right password waits now
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter > 0, `Retry-After: ${limited.headers.get('retry-after')}`).toBe(true);
    expect(limited.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/Try again in \d+ s/) } });
    // GraphQL sees the same account limit.
    expect(errorCodes(await gql(api, LogInDocument, { input: { email, password: PASSWORD } }))).toEqual(['RATE_LIMITED']);
  });

  it('counts REST sign-ins under the caller’s address, the bucket GraphQL’s logIn uses too', async () => {
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++) status = (await login(newEmail('nobody'), 'whatever')).status;
    expect(status).toBe(429);
    // From the same address, GraphQL's logIn is limited now as well (REST did not count under a shared "unknown").
    const viaGraphQL = await gql(api, LogInDocument, { input: { email: newEmail('other'), password: PASSWORD } });
    expect(errorCodes(viaGraphQL)).toEqual(['RATE_LIMITED']);
  });
});

describe('REST run stream cap', () => {
  it('answers a stream over the per-user subscription cap with 429', async () => {
    const { token } = await signUp(api, 'S', newEmail('streamer'));
    const project = (await rest(api, 'POST', '/api/projects', { token, body: { name: 'Capped' } })).body;
    const run = await getDb().agentRun.create({ data: { projectId: rawId(project.id), status: 'RUNNING' } });
    const controller = new AbortController();
    const open = await fetch(`${api.url}/api/agent-runs/${run.id}/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(open.status).toBe(200);
    const refused = await rest(api, 'GET', `/api/agent-runs/${run.id}/stream`, { token });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toEqual({ code: 'TOO_MANY_SUBSCRIPTIONS', message: expect.stringMatching(/at most 1/) });
    controller.abort();
  });
});

describe('OpenAPI', () => {
  it('lists 429 (with Retry-After) where it can happen, and the sign-in routes need no token', async () => {
    const doc = (await rest(api, 'GET', '/api/openapi.json')).body;
    const loginOp = doc.paths['/api/auth/login'].post;
    expect(loginOp.security).toEqual([]);
    expect(Object.keys(loginOp.responses).sort()).toEqual(['200', '400', '401', '413', '429']);
    expect(loginOp.responses['429'].headers['Retry-After'].schema).toMatchObject({ type: 'integer' });
    expect(doc.paths['/api/auth/signup'].post.security).toEqual([]);
    expect(Object.keys(doc.paths['/api/agent-runs/{id}/stream'].get.responses)).toContain('429');
    expect(doc.paths['/api/projects'].get.security).toEqual([{ bearer: [] }]);
  });
});

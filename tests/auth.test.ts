import { describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk, PASSWORD, signUp } from './helpers/api.js';
import { sql } from './helpers/foundation.js';
import {
  CreateApiTokenDocument,
  CreateProjectDocument,
  LogInAsDocument,
  LogInDocument,
  RevokeApiTokenDocument,
  SignUpDocument,
  ViewerApiTokensDocument,
  ViewerCreatedAtDocument,
  ViewerNameDocument,
  ViewerProfileDocument,
} from './generated/graphql.js';
import { useTestApi } from './helpers/stack.js';

const api = useTestApi();

describe('accounts and tokens', () => {
  it('signs up, logs in and answers viewer with the token', async () => {
    const { token, email } = await signUp(api, 'ada');
    const viewer = await gqlOk(api, ViewerProfileDocument, {}, token);
    expect(viewer.viewer).toEqual({ email, name: 'ada' });
    const login = await gqlOk(api, LogInAsDocument, { input: { email: email.toUpperCase(), password: PASSWORD } });
    expect(login.logIn.user!.email).toBe(email);
    expect(login.logIn.token).not.toBe(token);
  });

  it('refuses a wrong password and a duplicate email with coded errors', async () => {
    const { email } = await signUp(api, 'bob');
    const wrong = await gql(api, LogInDocument, { input: { email, password: 'nope-nope' } });
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    const dup = await gql(api, SignUpDocument, { input: { email, password: 'long enough pw', name: 'x' } });
    expect(errorCodes(dup)).toEqual(['CONFLICT']);
  });

  it('validates sign-up input', async () => {
    const bad = await gql(api, SignUpDocument, { input: { email: 'not-an-email', password: 'short', name: '   ' } });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0].message).toMatch(/email/);
  });

  it('creates an API token shown once and revokes it', async () => {
    const { token } = await signUp(api, 'cy');
    const created = await gqlOk(api, CreateApiTokenDocument, { input: { name: 'ci' } }, token);
    const apiToken = created.createApiToken.token;
    expect(apiToken.startsWith(created.createApiToken.apiToken.prefix)).toBe(true);
    expect((await gqlOk(api, ViewerNameDocument, {}, apiToken)).viewer!.name).toBe('cy');
    const listed = await gqlOk(api, ViewerApiTokensDocument, {}, token);
    expect(JSON.stringify(listed)).not.toContain(apiToken);
    await gqlOk(api, RevokeApiTokenDocument, { id: created.createApiToken.apiToken.id }, token);
    expect((await gqlOk(api, ViewerNameDocument, {}, apiToken)).viewer).toBeNull();
  });

  it('refuses an expired session token and reads the viewer exactly as stored', async () => {
    const { token, email } = await signUp(api, 'dee');
    const [stored] = await sql<{ created: string }>(api, `SELECT to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created FROM "User" WHERE "email" = $1`, [email]);
    expect((await gqlOk(api, ViewerCreatedAtDocument, {}, token)).viewer!.createdAt).toBe(stored!.created);
    await sql(api, `UPDATE "ApiToken" SET "expiresAt" = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE "userId" = (SELECT "id" FROM "User" WHERE "email" = $1)`, [email]);
    expect((await gqlOk(api, ViewerNameDocument, {}, token)).viewer).toBeNull();
    expect(errorCodes(await gql(api, CreateProjectDocument, { input: { name: 'x' } }, token))).toEqual(['UNAUTHENTICATED']);
  });

  it('requires a user for protected operations', async () => {
    const result = await gql(api, CreateProjectDocument, { input: { name: 'x' } });
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('serves GraphiQL, /health and /ready', async () => {
    const page = await fetch(`${api.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);
    expect(await (await fetch(`${api.url}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${api.url}/ready`)).json()).toMatchObject({ status: 'ready', workers: expect.any(Number) });
  });
});

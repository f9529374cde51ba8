import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk, signUp, startTestApi, type TestApi } from './helpers/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

describe('accounts and tokens', () => {
  it('signs up, logs in and answers viewer with the token', async () => {
    const { token, email } = await signUp(api, 'ada');
    const viewer = await gqlOk(api, '{ viewer { email name } }', {}, token);
    expect(viewer.viewer).toEqual({ email, name: 'ada' });
    const login = await gqlOk(api, 'mutation($i: LogInInput!) { logIn(input: $i) { token user { email } } }', {
      i: { email: email.toUpperCase(), password: 'correct horse battery' },
    });
    expect(login.logIn.user.email).toBe(email);
    expect(login.logIn.token).not.toBe(token);
  });

  it('refuses a wrong password and a duplicate email with coded errors', async () => {
    const { email } = await signUp(api, 'bob');
    const wrong = await gql(api, 'mutation($i: LogInInput!) { logIn(input: $i) { token } }', { i: { email, password: 'nope-nope' } });
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    const dup = await gql(api, 'mutation($i: SignUpInput!) { signUp(input: $i) { token } }', {
      i: { email, password: 'long enough pw', name: 'x' },
    });
    expect(errorCodes(dup)).toEqual(['CONFLICT']);
  });

  it('validates sign-up input', async () => {
    const bad = await gql(api, 'mutation($i: SignUpInput!) { signUp(input: $i) { token } }', {
      i: { email: 'not-an-email', password: 'short', name: '   ' },
    });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0].message).toMatch(/email/);
  });

  it('creates an API token shown once and revokes it', async () => {
    const { token } = await signUp(api, 'cy');
    const created = await gqlOk(api, 'mutation { createApiToken(input: { name: "ci" }) { token apiToken { id name prefix } } }', {}, token);
    const apiToken = created.createApiToken.token as string;
    expect(apiToken.startsWith(created.createApiToken.apiToken.prefix)).toBe(true);
    expect((await gqlOk(api, '{ viewer { name } }', {}, apiToken)).viewer.name).toBe('cy');
    const listed = await gqlOk(api, '{ viewer { apiTokens { name prefix } } }', {}, token);
    expect(JSON.stringify(listed)).not.toContain(apiToken);
    await gqlOk(api, 'mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: created.createApiToken.apiToken.id }, token);
    expect((await gqlOk(api, '{ viewer { name } }', {}, apiToken)).viewer).toBeNull();
  });

  it('refuses an expired session token and reads the viewer exactly as stored', async () => {
    const { token, email } = await signUp(api, 'dee');
    const sql = new pg.Client({ connectionString: api.databaseUrl });
    await sql.connect();
    try {
      const stored = await sql.query<{ created: string }>(`SELECT to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created FROM "User" WHERE "email" = $1`, [email]);
      expect((await gqlOk(api, '{ viewer { createdAt } }', {}, token)).viewer.createdAt).toBe(stored.rows[0]!.created);
      await sql.query(`UPDATE "ApiToken" SET "expiresAt" = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE "userId" = (SELECT "id" FROM "User" WHERE "email" = $1)`, [email]);
    } finally {
      await sql.end();
    }
    expect((await gqlOk(api, '{ viewer { name } }', {}, token)).viewer).toBeNull();
    expect(errorCodes(await gql(api, 'mutation { createProject(input: { name: "x" }) { id } }', {}, token))).toEqual(['UNAUTHENTICATED']);
  });

  it('requires a user for protected operations', async () => {
    const result = await gql(api, 'mutation { createProject(input: { name: "x" }) { id } }');
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

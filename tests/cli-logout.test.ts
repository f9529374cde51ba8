// `shipyard logout` revokes the stored session on the server (logOut) before forgetting it, so a copy of the token is
// worthless afterwards; an already revoked token is just forgotten; an unreachable server keeps it (exit 4) unless
// --local-only.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk } from './helpers/api.js';
import { useTestApi } from './helpers/stack.js';
import { rest } from './helpers/rest.js';
import { freePort } from './helpers/processes.js';
import { runCli } from './helpers/cli.js';
import { LogOutDocument, ViewerEmailDocument } from './generated/graphql.js';
import { useProcessSettings } from './helpers/process-settings.js';
import { saveToken } from '../cli/config.js';

const home = mkdtempSync(join(tmpdir(), 'shipyard-cli-logout-'));
const credentials = join(home, 'shipyard', 'credentials.json');
useProcessSettings(() => ({ XDG_CONFIG_HOME: home })); // where saveToken (below) writes, as the CLI processes do

const api = useTestApi();
let env: Record<string, string>;
beforeAll(() => {
  env = { SHIPYARD_URL: api.url, XDG_CONFIG_HOME: home, SHIPYARD_TOKEN: '', NO_COLOR: '' };
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

const storedFor = (server: string): string | undefined =>
  existsSync(credentials) ? (JSON.parse(readFileSync(credentials, 'utf8')) as { servers: Record<string, { token: string }> }).servers[server]?.token : undefined;
const viewerOf = async (token: string) => (await gqlOk(api, ViewerEmailDocument, {}, token)).viewer;

async function signUpWithCli(): Promise<{ email: string; token: string }> {
  const email = `logout-${randomBytes(4).toString('hex')}@example.com`;
  const signup = await runCli(['signup', '--email', email, '--password', 'correct horse battery', '--name', 'Lou'], env);
  expect(signup.code, signup.stderr).toBe(0);
  const token = storedFor(api.url)!;
  expect(await viewerOf(token)).toEqual({ email });
  return { email, token };
}

describe('shipyard logout', () => {
  it('revokes the session on the server, then forgets it: the old token is refused afterwards', async () => {
    const { token } = await signUpWithCli();
    const out = await runCli(['logout', '--json'], env);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ loggedOut: true, revoked: true });
    expect(storedFor(api.url)).toBeUndefined();
    // A copy of the token (another terminal, a leaked file) no longer works, over GraphQL and REST alike.
    expect(await viewerOf(token)).toBeNull();
    expect((await rest(api, 'GET', '/api/projects', { token })).status).toBe(401);
    const again = await runCli(['logout'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Not signed in');
  }, 60_000);

  it('forgets a token the server already revoked; keeps it (exit 4) when the server is unreachable, unless --local-only', async () => {
    const { token } = await signUpWithCli();
    await gqlOk(api, LogOutDocument, {}, token); // revoked elsewhere
    const stale = await runCli(['logout', '--json'], env);
    expect(stale.code, stale.stderr).toBe(0);
    expect(JSON.parse(stale.stdout)).toMatchObject({ loggedOut: true, revoked: false });
    expect(storedFor(api.url)).toBeUndefined();

    // The same live token stored for a server that is down: logout there cannot revoke it.
    const live = await signUpWithCli();
    const down = `http://127.0.0.1:${await freePort()}`;
    await saveToken(down, live.token, live.email);
    const unreachable = await runCli(['logout', '--server', down], env);
    expect(unreachable.code).toBe(4);
    expect(unreachable.stderr).toContain('--local-only');
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(storedFor(down)).toBe(live.token);
    const local = await runCli(['logout', '--server', down, '--local-only'], env);
    expect(local.code, local.stderr).toBe(0);
    expect(storedFor(down)).toBeUndefined();
    expect(await viewerOf(live.token)).toEqual({ email: live.email }); // not revoked: the server was never asked
  }, 90_000);
});

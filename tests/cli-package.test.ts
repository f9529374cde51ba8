// `shipyard` from a packed tarball: `npm pack`, installed into an empty project (production dependencies only), its
// bin answers the real API. This is how the CLI reaches people outside the repository.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { useApiWithOwner } from './helpers/foundation.js';
import { rest } from './helpers/rest.js';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'shipyard-pack-'));
const ctx = useApiWithOwner();

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('installs from `npm pack` and runs against the API', async () => {
  const { stdout: packed } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root });
  const [{ filename, files }] = JSON.parse(packed) as Array<{ filename: string; files: Array<{ path: string }> }>;
  expect(files.map((f) => f.path)).toContain('cli/bin/shipyard.mjs');
  const app = join(dir, 'app');
  await run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'uses-shipyard', version: '1.0.0', private: true }));
  // --ignore-scripts: the CLI needs none (the package's own postinstall generates the server's Prisma client).
  await run('npm', ['install', join(dir, filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev'], {
    cwd: app,
    timeout: 240_000,
  });

  const bin = join(app, 'node_modules', '.bin', 'shipyard');
  const help = await run(bin, ['--help'], { cwd: app });
  expect(help.stdout).toContain('run');
  await rest(ctx.api, 'POST', '/api/projects', { token: ctx.owner.token, body: { name: 'Packed' } });
  const env = { ...process.env, SHIPYARD_URL: ctx.api.url, SHIPYARD_TOKEN: ctx.owner.token, XDG_CONFIG_HOME: dir };
  const projects = await run(bin, ['projects', '--json'], { cwd: app, env });
  expect(JSON.parse(projects.stdout).map((p: { name: string }) => p.name)).toEqual(['Packed']);
}, 300_000);

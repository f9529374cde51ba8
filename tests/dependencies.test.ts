// Every declared dependency is used and every used one is declared (knip, configured in knip.jsonc).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

it('has no unused, unlisted or unresolved dependencies', async () => {
  const result = await run('npx', ['knip', '--include', 'dependencies,unlisted,binaries,unresolved', '--no-progress'], {
    cwd: new URL('..', import.meta.url).pathname,
  }).then(
    ({ stdout }) => ({ ok: true, stdout }),
    (error: { stdout?: string; stderr?: string }) => ({ ok: false, stdout: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
  expect(result.stdout.trim()).toBe('');
  expect(result.ok).toBe(true);
}, 120_000);

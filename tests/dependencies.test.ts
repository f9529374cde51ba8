// Nothing dead: every declared dependency is used and every used one is declared, every file is reached from an
// entry point and every export is imported somewhere (knip, configured in knip.jsonc). An export used only inside
// its own file loses the `export` keyword; one used nowhere is deleted.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

const CHECKS = ['dependencies', 'unlisted', 'binaries', 'unresolved', 'files', 'exports', 'types', 'duplicates'];

it('has no unused dependencies, files or exports, and nothing unlisted or unresolved', async () => {
  const result = await run('npx', ['knip', '--include', CHECKS.join(','), '--no-progress'], {
    cwd: new URL('..', import.meta.url).pathname,
  }).then(
    ({ stdout }) => ({ ok: true, stdout }),
    (error: { stdout?: string; stderr?: string }) => ({ ok: false, stdout: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
  expect(result.stdout.trim()).toBe('');
  expect(result.ok).toBe(true);
}, 120_000);

// The README's third-party example, exactly as printed: its codegen.ts generates typed documents from schema.graphql,
// its watch.ts type-checks against them, and running it starts a run and prints every event live, in order.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createProject } from './helpers/foundation.js';
import { useStack } from './helpers/stack.js';
import { consumerDir } from './helpers/consumer-dir.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
const readme = readFileSync(`${root}README.md`, 'utf8');
const block = (title: string) => {
  const match = readme.match(new RegExp('```ts title=' + title.replace('.', '\\.') + '\\n([\\s\\S]*?)```'));
  if (!match) throw new Error(`README has no \`\`\`ts title=${title} block`);
  return match[1];
};

const stack = useStack({ owner: 'consumer', workers: { kind: 'scripted' } });

describe("the README's codegen example", () => {
  it('generates, type-checks, and prints a run’s events live', async () => {
    const watch = block('watch.ts');
    expect(watch.trim().split('\n').length).toBeLessThanOrEqual(24);
    const consumer = consumerDir('consumer', { 'codegen.ts': block('codegen.ts'), 'watch.ts': watch });
    try {
      await run(bin('graphql-codegen'), ['--config', 'codegen.ts', '--silent'], { cwd: consumer.dir, env: { ...process.env, SHIPYARD_SCHEMA: `${root}schema.graphql` } });
      await run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: consumer.dir }).catch((e: { stdout: string }) => {
        throw new Error(`tsc: ${e.stdout}`);
      });

      const { api, owner } = stack;
      const project = await createProject(api, owner, 'Consumer', JSON.stringify({ sessions: 1, eventsPerSession: 5, intervalMs: 10 }));
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'watch.ts', project.id], {
        cwd: consumer.dir,
        env: { ...process.env, SHIPYARD_URL: `${api.url}/graphql`, SHIPYARD_TOKEN: owner.token },
        timeout: 30_000,
      });
      const lines = stdout.trim().split('\n');
      expect(lines.map((l) => Number(l.split(' ')[0]))).toEqual(lines.map((_, i) => i + 1));
      expect(lines).toContain('2 TEXT session 1 begins');
      expect(lines.at(-1)).toMatch(/^\d+ COMPLETE$/);
    } finally {
      consumer.remove();
    }
  }, 180_000);
});

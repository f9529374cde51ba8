// shipyard/client and shipyard/react as another project gets them: `npm pack`, the tarball unpacked into a fresh
// project's node_modules, imported through package.json `exports`, type-checked against the shipped .d.ts and run.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { consumerDir } from './helpers/consumer-dir.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

const consumer = `
import { createShipyardClient, followRun, progressOf, featureStates, FollowRunDocument, type RunEvent } from 'shipyard/client';
import { TerminalView, useAgentRun, AgentTerminal, ShipyardProvider } from 'shipyard/react';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';

const client = createShipyardClient({ url: 'http://127.0.0.1:9/graphql', token: () => 'secret', transport: 'sse' });
const events: RunEvent[] = [
  { seq: 1, type: 'TEXT', createdAt: '2026-01-01T00:00:00Z', payload: {}, data: { __typename: 'TextEvent', text: 'hello from the package', session: 1 } },
  { seq: 2, type: 'COMPLETE', createdAt: '2026-01-01T00:00:01Z', payload: {}, data: { __typename: 'CompleteEvent', status: 'SUCCEEDED', stopReason: 'all_features_passing', costUsd: 0.5 } },
];
const progress = progressOf(featureStates([{ index: 0, passes: true }, { index: 1, passes: false }]));
const html = renderToString(createElement(TerminalView, { run: null, events, progress, isRunning: false }));
console.log(JSON.stringify({
  query: typeof client.query,
  followRun: typeof followRun,
  document: FollowRunDocument.kind,
  ratio: progress.ratio,
  hooks: [typeof useAgentRun, typeof AgentTerminal, typeof ShipyardProvider],
  rendered: html.includes('hello from the package') && html.includes('SUCCEEDED — all_features_passing'),
}));
`;

describe('the packed client library', () => {
  it('installs from the tarball, type-checks through exports and runs', async () => {
    await run('npm', ['run', 'build:client', '--silent'], { cwd: root });
    const packDir = mkdtempSync(join(tmpdir(), 'shipyard-pack-'));
    const project = consumerDir('package-consumer', { 'consumer.ts': consumer });
    try {
      const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
      const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
      const paths = packed.files.map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['client/dist/index.js', 'client/dist/index.d.ts', 'client/dist/react/index.js', 'client/dist/react/index.d.ts']));
      expect(paths.some((p) => p.startsWith('tests/') || p.startsWith('node_modules/'))).toBe(false);

      mkdirSync(join(project.dir, 'node_modules'));
      await run('tar', ['xzf', join(packDir, packed.filename), '-C', join(project.dir, 'node_modules')]);
      renameSync(join(project.dir, 'node_modules', 'package'), join(project.dir, 'node_modules', 'shipyard'));

      await run(`${root}node_modules/.bin/tsc`, ['-p', 'tsconfig.json'], { cwd: project.dir }).catch((e: { stdout: string }) => {
        throw new Error(`tsc: ${e.stdout}`);
      });
      const out = await run(process.execPath, ['--import', 'tsx', 'consumer.ts'], { cwd: project.dir });
      expect(JSON.parse(out.stdout)).toEqual({ query: 'function', followRun: 'function', document: 'Document', ratio: 0.5, hooks: ['function', 'function', 'function'], rendered: true });
    } finally {
      project.remove();
      rmSync(packDir, { recursive: true, force: true });
    }
  }, 120_000);
});

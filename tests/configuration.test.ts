// One configuration module: every variable validated at start with its default, named when invalid, and documented.
import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { VARIABLE_NAMES } from '../src/config/variables.js';

const root = join(import.meta.dirname, '..');

/** Variable names in the first column of the tables under README's "## Configuration" (`A` / `B` rows name two). */
async function documentedVariables(): Promise<string[]> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1];
    if (!firstCell) continue;
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.push(match[1]);
  }
  return names;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((path) => !path.includes('/generated/'));
}

/** Reads of the environment that are not configuration: child processes get PATH or the (secret-free) environment. */
const PASS_THROUGH: Record<string, RegExp> = {
  'worker/tools/process-runner.ts': /Object\.entries\(process\.env\)/g,
  'worker/tools/search.ts': /process\.env\.PATH\b/g,
  // The platform's git processes get only PATH (to find git).
  'src/workspace/platform-git.ts': /process\.env\.PATH\b/g,
  // Runs inside the sandbox: its environment is the one the sandbox built from nothing.
  'worker/sandbox/sandbox-server.mjs': /process\.env\b/g,
};

function runEntry(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('configuration', () => {
  it('documents exactly the variables the configuration module reads', async () => {
    const documented = await documentedVariables();
    expect(documented.length).toBeGreaterThan(10);
    expect(VARIABLE_NAMES.filter((name) => !documented.includes(name)), 'read but missing from README').toEqual([]);
    expect(documented.filter((name) => !(VARIABLE_NAMES as string[]).includes(name)), 'in README but never read').toEqual([]);
  });

  it('is the only code that reads process.env', async () => {
    const offenders: string[] = [];
    for (const file of [...(await sourceFiles('src')), ...(await sourceFiles('worker')), ...(await sourceFiles('scripts'))]) {
      if (file.startsWith('src/config/')) continue;
      const text = (await readFile(join(root, file), 'utf8')).replace(PASS_THROUGH[file] ?? /$^/g, '');
      for (const [index, line] of text.split('\n').entries()) if (line.includes('process.env')) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
    }
    expect(offenders).toEqual([]);
  });

  it('gives every variable its default when unset or empty', () => {
    const config = loadConfig({ PORT: '', REDIS_URL: '' });
    expect(config).toMatchObject({
      databaseUrl: undefined,
      redisUrl: 'redis://127.0.0.1:6379',
      redisUrlSet: false,
      port: 4000,
      host: '0.0.0.0',
      logLevel: 'info',
      migrateOnStart: true,
      queueName: undefined,
      worker: { concurrency: 2, drainTimeoutMs: 25_000, lockDurationMs: 6000, stalledIntervalMs: 2000 },
      agent: { noProgressSessions: 3, commandTimeoutMs: 120_000, commandOutputBytes: 200_000, usageFlushMs: 0 },
      events: { sseFlushMs: 4, eventFlushMs: 0 },
      model: { maxRetries: 4, streamRetries: 3, maxOutputTokens: 16_000, timeoutMs: 600_000, prices: {}, defaultModel: 'claude-sonnet-5-5' },
    });
    expect(config.dataDir).toBe(join(process.cwd(), '.data'));
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    expect(loadConfig({ SHIPYARD_MIGRATE_ON_START: 'false', PORT: '0', REDIS_URL: 'redis://10.0.0.1:6380' })).toMatchObject({
      migrateOnStart: false,
      port: 0,
      redisUrl: 'redis://10.0.0.1:6380',
      redisUrlSet: true,
    });
  });

  it('names every invalid variable, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: '80a',
        WORKER_CONCURRENCY: '0',
        SHIPYARD_EVENT_FLUSH_MS: '-1',
        SHIPYARD_MIGRATE_ON_START: 'maybe',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://root:hunter2@db/app',
        ANTHROPIC_BASE_URL: 'localhost:8080',
        SHIPYARD_MODEL_PRICES: '{"m": {"input": -1, "output": 1}}',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(
      ['ANTHROPIC_BASE_URL', 'DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SHIPYARD_EVENT_FLUSH_MS', 'SHIPYARD_MIGRATE_ON_START', 'SHIPYARD_MODEL_PRICES', 'WORKER_CONCURRENCY'].sort(),
    );
    expect(problems).toContain('PORT must be an integer from 0 to 65535 (got "80a")');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('stops the API, worker and npm start processes at start with the variable named', async () => {
    const [api, worker, start] = await Promise.all([
      runEntry('src/server.ts', { PORT: 'eighty' }),
      runEntry('worker/index.ts', { WORKER_CONCURRENCY: 'lots', DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none' }),
      runEntry('scripts/start.ts', { SHIPYARD_LOCK_DURATION_MS: '5s' }),
    ]);
    expect(api).toMatchObject({ code: 1, output: expect.stringContaining('PORT must be an integer from 0 to 65535 (got "eighty")') });
    expect(worker).toMatchObject({ code: 1, output: expect.stringContaining('WORKER_CONCURRENCY must be an integer') });
    expect(start).toMatchObject({ code: 1, output: expect.stringContaining('SHIPYARD_LOCK_DURATION_MS must be an integer') });
    for (const { output } of [api, worker, start]) expect(output).not.toMatch(/\n\s+at /);
  }, 30_000);
});

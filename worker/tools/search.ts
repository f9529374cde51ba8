// Custom read-only tools: glob (find files by pattern) and grep (search file contents), both inside the workspace.
// Both run ripgrep as a child process (through the spawner, never on the worker's event loop) with a deadline and an
// output cap; ripgrep's regex engine is linear-time, so a pattern like ^(a+)+$ cannot stall anything.
import { relative } from 'node:path';
import { PathEscapeError, resolveInWorkspace } from '../workspace.js';
import type { ToolOutcome } from './editor.js';
import { spawnProcess } from './spawner.js';

const SKIP_DIRS = ['.git', 'node_modules', 'dist', 'build', '.next', 'coverage'];
const MAX_RESULTS = 500;
const SEARCH_TIMEOUT_MS = 15_000;
const SEARCH_OUTPUT_BYTES = 1024 * 1024;

function base(root: string, path: unknown): string | ToolOutcome {
  try {
    return resolveInWorkspace(root, typeof path === 'string' && path ? path : '.');
  } catch (error) {
    if (error instanceof PathEscapeError) return { output: `Refused: ${error.message}`, isError: true };
    throw error;
  }
}

interface RgOutcome {
  lines: string[];
  error: ToolOutcome | null;
}

async function ripgrep(root: string, args: string[], signal?: AbortSignal): Promise<RgOutcome> {
  const result = await spawnProcess({
    file: 'rg',
    // No config file, no ignore files (the workspace's own .gitignore/.rgignore are agent-written), no symlinks followed.
    args: ['--no-config', '--no-ignore', '--hidden', '--no-follow', '--color', 'never', ...SKIP_DIRS.flatMap((d) => ['--glob', `!**/${d}/**`]), ...args],
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8' },
    timeoutMs: SEARCH_TIMEOUT_MS,
    maxOutputBytes: SEARCH_OUTPUT_BYTES,
    keepStdout: true,
    signal,
  });
  if (result.timedOut) return { lines: [], error: { output: `The search was stopped after ${SEARCH_TIMEOUT_MS / 1000} s; narrow it with a path or an include pattern.`, isError: true } };
  if (result.exitCode === 1) return { lines: [], error: null }; // ripgrep: nothing matched
  if (result.exitCode !== 0 && result.exitCode !== 2) {
    const missing = /ENOENT|not found/i.test(result.output) ? 'ripgrep (rg) is not installed on this worker (Debian: apt-get install -y ripgrep).' : result.output.trim().slice(0, 2000);
    return { lines: [], error: { output: `The search failed: ${missing || `exit ${result.exitCode}`}`, isError: true } };
  }
  // Exit 2 with output: some files could not be read; the matches found are still good.
  const lines = result.stdout.split('\n').filter(Boolean);
  if (result.exitCode === 2 && lines.length === 0) return { lines: [], error: { output: `The search failed: ${result.output.trim().slice(0, 2000)}`, isError: true } };
  return { lines, error: null };
}

export async function runGlob(root: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolOutcome> {
  if (typeof input.pattern !== 'string' || !input.pattern) return { output: 'glob needs a "pattern", e.g. "src/**/*.ts".', isError: true };
  const dir = base(root, input.path);
  if (typeof dir !== 'string') return dir;
  const searchPath = relative(root, dir) || '.';
  const { lines, error } = await ripgrep(root, ['--files', '--glob', input.pattern.startsWith('/') || input.pattern.includes('/') ? input.pattern : `**/${input.pattern}`, '--', searchPath], signal);
  if (error) return error;
  const matches = lines.map((line) => line.replace(/^\.\//, '')).sort().slice(0, MAX_RESULTS);
  return { output: matches.length ? matches.join('\n') : 'No files matched.', isError: false };
}

export async function runGrep(root: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolOutcome> {
  if (typeof input.pattern !== 'string' || !input.pattern) return { output: 'grep needs a "pattern" (a regular expression).', isError: true };
  if (input.pattern.length > 10_000) return { output: 'The pattern is longer than 10000 characters.', isError: true };
  const dir = base(root, input.path);
  if (typeof dir !== 'string') return dir;
  const searchPath = relative(root, dir) || '.';
  const args = ['--line-number', '--no-heading', '--with-filename', '--max-columns', '300', '--max-columns-preview', '--max-filesize', '1M', '--max-count', String(MAX_RESULTS)];
  if (input.ignore_case) args.push('--ignore-case');
  if (typeof input.include === 'string' && input.include) args.push('--glob', input.include);
  const { lines, error } = await ripgrep(root, [...args, '--regexp', input.pattern, '--', searchPath], signal);
  if (error) return /regex parse error|error parsing/i.test(error.output) ? { output: `Invalid regular expression: ${error.output.replace(/^The search failed: /, '')}`, isError: true } : error;
  const matches = lines.map((line) => line.replace(/^\.\//, '')).sort(byFileAndLine).slice(0, MAX_RESULTS);
  return { output: matches.length ? matches.join('\n') : 'No matches.', isError: false };
}

/** ripgrep searches in parallel: put matches back in file, then line order. */
function byFileAndLine(a: string, b: string): number {
  const [fa, la] = splitMatch(a);
  const [fb, lb] = splitMatch(b);
  return fa === fb ? la - lb : fa < fb ? -1 : 1;
}

function splitMatch(line: string): [string, number] {
  const m = /^(.*?):(\d+):/.exec(line);
  return m ? [m[1], Number(m[2])] : [line, 0];
}

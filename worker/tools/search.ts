// Custom read-only tools: glob (find files by pattern) and grep (search file contents), both inside the workspace.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PathEscapeError, resolveInWorkspace } from '../workspace.js';
import type { ToolOutcome } from './editor.js';

const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'build', '.next', 'coverage']);
const MAX_RESULTS = 500;
const MAX_FILES_SCANNED = 20_000;
const MAX_GREP_FILE_BYTES = 1024 * 1024;

/** `**` matches any number of directories, `*` anything but `/`, `?` one character, `{a,b}` alternatives. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      re += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${pattern.slice(i + 1, end).split(',').map((part) => part.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('|')})`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|[\]\\}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function* walk(root: string, dir: string, budget: { files: number }): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (budget.files-- <= 0) return;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* walk(root, full, budget);
    } else if (entry.isFile()) yield relative(root, full);
  }
}

function base(root: string, path: unknown): string | ToolOutcome {
  try {
    return resolveInWorkspace(root, typeof path === 'string' && path ? path : '.');
  } catch (error) {
    if (error instanceof PathEscapeError) return { output: `Refused: ${error.message}`, isError: true };
    throw error;
  }
}

export function runGlob(root: string, input: Record<string, unknown>): ToolOutcome {
  if (typeof input.pattern !== 'string' || !input.pattern) return { output: 'glob needs a "pattern", e.g. "src/**/*.ts".', isError: true };
  const dir = base(root, input.path);
  if (typeof dir !== 'string') return dir;
  const re = globToRegExp(input.pattern);
  const matches: string[] = [];
  for (const file of walk(dir, dir, { files: MAX_FILES_SCANNED })) {
    if (re.test(file)) matches.push(relative(root, join(dir, file)));
    if (matches.length >= MAX_RESULTS) break;
  }
  matches.sort();
  return { output: matches.length ? matches.join('\n') : 'No files matched.', isError: false };
}

export function runGrep(root: string, input: Record<string, unknown>): ToolOutcome {
  if (typeof input.pattern !== 'string' || !input.pattern) return { output: 'grep needs a "pattern" (a JavaScript regular expression).', isError: true };
  let re: RegExp;
  try {
    re = new RegExp(input.pattern, input.ignore_case ? 'i' : '');
  } catch (error) {
    return { output: `Invalid regular expression: ${(error as Error).message}`, isError: true };
  }
  const dir = base(root, input.path);
  if (typeof dir !== 'string') return dir;
  const include = typeof input.include === 'string' && input.include ? globToRegExp(input.include) : null;
  const lines: string[] = [];
  const files = statSync(dir).isFile() ? [relative(root, dir)] : [...walk(dir, dir, { files: MAX_FILES_SCANNED })].map((f) => relative(root, join(dir, f)));
  for (const file of files) {
    if (include && !include.test(file) && !include.test(file.split('/').at(-1)!)) continue;
    const full = join(root, file);
    if (statSync(full).size > MAX_GREP_FILE_BYTES) continue;
    const text = readFileSync(full, 'utf8');
    if (text.includes('\0')) continue;
    text.split('\n').forEach((line, i) => {
      if (lines.length < MAX_RESULTS && re.test(line)) lines.push(`${file}:${i + 1}:${line.slice(0, 300)}`);
    });
    if (lines.length >= MAX_RESULTS) break;
  }
  return { output: lines.length ? lines.join('\n') : 'No matches.', isError: false };
}

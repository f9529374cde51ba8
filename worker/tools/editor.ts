// str_replace_based_edit_tool (text_editor_20250728): view / create / str_replace / insert, confined to the workspace:
// paths are checked, then every open walks them again with O_NOFOLLOW (a symlink swapped in meanwhile is refused),
// and .git/ is never touched (hooks or core.fsmonitor written there would be code the platform's git runs).
import { closeSync, constants, fstatSync, ftruncateSync, readdirSync, realpathSync, writeSync } from 'node:fs';
import { basename, dirname, relative, sep } from 'node:path';
import { openDirNoFollow, openFileNoFollow, readBounded, UnsafePathError } from '../../src/files/safe-open.js';
import { PathEscapeError, resolveInWorkspace } from '../workspace.js';

export const EDITOR_TOOL_NAME = 'str_replace_based_edit_tool';
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_VIEW_CHARS = 40_000;
const HIDDEN_DIRS = new Set(['.git', 'node_modules']);

export interface ToolOutcome {
  output: string;
  isError: boolean;
}

const fail = (output: string): ToolOutcome => ({ output, isError: true });
const ok = (output: string): ToolOutcome => ({ output, isError: false });

export function runEditor(root: string, input: Record<string, unknown>): ToolOutcome {
  const command = input.command;
  const path = input.path;
  if (typeof path !== 'string') return fail('Missing "path".');
  let target: string;
  let file: WorkspacePath;
  try {
    target = resolveInWorkspace(root, path);
    file = realParts(root, target);
  } catch (error) {
    if (error instanceof PathEscapeError || error instanceof UnsafePathError) return fail(`Refused: ${error.message}`);
    throw error;
  }
  const shown = relative(root, target) || '.';
  if ([...relative(root, target).split(sep), ...file.parts].some((part) => part.toLowerCase() === '.git')) {
    return fail(`Refused: ${shown} is inside .git/; the repository's internals are not edited with this tool (use git commands).`);
  }
  try {
    switch (command) {
      case 'view':
        return view(file, shown, input.view_range);
      case 'create':
        return create(file, shown, input.file_text);
      case 'str_replace':
        return strReplace(file, shown, input.old_str, input.new_str);
      case 'insert':
        return insert(file, shown, input.insert_line, input.insert_text ?? input.new_str);
      default:
        return fail(`Unknown command ${JSON.stringify(command)}; use view, create, str_replace or insert.`);
    }
  } catch (error) {
    if (error instanceof UnsafePathError) return fail(`Refused: ${error.message}`);
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return fail(`${shown} does not exist.`);
    if (e.code === 'EISDIR') return fail(`${shown} is a directory.`);
    return fail(`${command} ${shown} failed: ${e.message}`);
  }
}

/** A checked target as components below the workspace's real root; every later open walks them without following symlinks. */
interface WorkspacePath {
  realRoot: string;
  parts: string[];
}

function realParts(root: string, target: string): WorkspacePath {
  const realRoot = realpathSync(root);
  let probe = target;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = realpathSync(probe);
      const parts = [...relative(realRoot, real).split(sep).filter(Boolean), ...rest];
      if (parts[0] === '..') throw new UnsafePathError('the path leaves the workspace.');
      return { realRoot, parts };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      rest.unshift(basename(probe));
      probe = dirname(probe);
    }
  }
}

/** The open file's text, or an outcome when it is a directory or too large. */
function readOpen(fd: number, shown: string): string | ToolOutcome {
  const stat = fstatSync(fd);
  if (stat.isDirectory()) return fail(`${shown} is a directory.`);
  if (!stat.isFile()) return fail(`${shown} is not a regular file.`);
  const bytes = readBounded(fd, MAX_FILE_BYTES);
  if (!bytes) return fail(`${shown} is larger than ${MAX_FILE_BYTES} bytes; use bash (head, tail, grep) to inspect it.`);
  return bytes.toString('utf8');
}

function replaceOpen(fd: number, text: string) {
  ftruncateSync(fd, 0);
  writeSync(fd, Buffer.from(text), 0, undefined, 0);
}

function withFile<T>(file: WorkspacePath, shown: string, flags: number, use: (fd: number) => T, createDirs = false): T {
  const fd = openFileNoFollow(file.realRoot, file.parts, shown, flags | constants.O_NONBLOCK, { createDirs });
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

function listDir(file: WorkspacePath, shown: string): ToolOutcome {
  const lines: string[] = [];
  const walk = (parts: string[], depth: number) => {
    const fd = openDirNoFollow(file.realRoot, parts, shown);
    let entries;
    try {
      entries = readdirSync(`/proc/self/fd/${fd}`, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } finally {
      closeSync(fd);
    }
    for (const entry of entries) {
      if (lines.length >= 1000) return;
      const sub = [...parts, entry.name];
      lines.push(`${sub.join('/')}${entry.isDirectory() ? '/' : ''}`);
      if (entry.isDirectory() && depth < 2 && !HIDDEN_DIRS.has(entry.name)) walk(sub, depth + 1);
    }
  };
  walk(file.parts, 1);
  return ok(`Files and directories up to 2 levels deep in ${shown}:\n${lines.join('\n')}`);
}

function view(file: WorkspacePath, shown: string, range: unknown): ToolOutcome {
  if (file.parts.length === 0) return listDir(file, shown);
  let isDir = false;
  const text = withFile(file, shown, constants.O_RDONLY, (fd) => {
    if (fstatSync(fd).isDirectory()) {
      isDir = true;
      return '';
    }
    return readOpen(fd, shown);
  });
  if (isDir) return listDir(file, shown);
  if (typeof text !== 'string') return text;
  let lines = text.split('\n');
  let first = 1;
  if (range !== undefined && range !== null) {
    if (!Array.isArray(range) || range.length !== 2 || !range.every((n) => Number.isInteger(n))) return fail('view_range must be [start, end] line numbers.');
    const [start, end] = range as [number, number];
    if (start < 1 || start > Math.max(lines.length, 1)) return fail(`view_range start ${start} is outside 1..${lines.length}.`);
    const last = end === -1 ? lines.length : end;
    if (last < start) return fail('view_range end must be >= start (or -1 for the end of the file).');
    lines = lines.slice(start - 1, last);
    first = start;
  }
  let out = lines.map((line, i) => `${String(first + i).padStart(6)}\t${line}`).join('\n');
  if (out.length > MAX_VIEW_CHARS) out = `${out.slice(0, MAX_VIEW_CHARS)}\n… (truncated; use view_range to see more)`;
  return ok(out);
}

function create(file: WorkspacePath, shown: string, fileText: unknown): ToolOutcome {
  if (typeof fileText !== 'string') return fail('create needs "file_text".');
  if (Buffer.byteLength(fileText) > MAX_FILE_BYTES) return fail(`file_text is larger than ${MAX_FILE_BYTES} bytes.`);
  return withFile(file, shown, constants.O_WRONLY | constants.O_CREAT, (fd) => {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return fail(`${shown} is a directory.`);
    if (!stat.isFile()) return fail(`${shown} is not a regular file.`);
    replaceOpen(fd, fileText);
    return ok(`File created successfully at: ${shown}`);
  }, true);
}

function strReplace(file: WorkspacePath, shown: string, oldStr: unknown, newStr: unknown): ToolOutcome {
  if (typeof oldStr !== 'string' || !oldStr) return fail('str_replace needs a non-empty "old_str".');
  return withFile(file, shown, constants.O_RDWR, (fd) => strReplaceOpen(fd, shown, oldStr, newStr));
}

function strReplaceOpen(fd: number, shown: string, oldStr: string, newStr: unknown): ToolOutcome {
  const replacement = typeof newStr === 'string' ? newStr : '';
  const text = readOpen(fd, shown);
  if (typeof text !== 'string') return text;
  const first = text.indexOf(oldStr);
  if (first < 0) return fail(`No replacement was performed: old_str did not appear verbatim in ${shown}.`);
  if (text.indexOf(oldStr, first + 1) >= 0) {
    const lines = [...text.matchAll(new RegExp(escapeRegExp(oldStr), 'g'))].map((m) => text.slice(0, m.index).split('\n').length);
    return fail(`No replacement was performed: old_str appears more than once in ${shown} (lines ${lines.join(', ')}); make it unique.`);
  }
  replaceOpen(fd, text.slice(0, first) + replacement + text.slice(first + oldStr.length));
  const line = text.slice(0, first).split('\n').length;
  return ok(`The file ${shown} has been edited (replacement at line ${line}).`);
}

function insert(file: WorkspacePath, shown: string, insertLine: unknown, insertText: unknown): ToolOutcome {
  if (typeof insertText !== 'string') return fail('insert needs "insert_text".');
  return withFile(file, shown, constants.O_RDWR, (fd) => insertOpen(fd, shown, insertLine, insertText));
}

function insertOpen(fd: number, shown: string, insertLine: unknown, insertText: string): ToolOutcome {
  const text = readOpen(fd, shown);
  if (typeof text !== 'string') return text;
  const lines = text.split('\n');
  if (!Number.isInteger(insertLine) || (insertLine as number) < 0 || (insertLine as number) > lines.length) {
    return fail(`insert_line must be an integer between 0 and ${lines.length}.`);
  }
  lines.splice(insertLine as number, 0, ...insertText.split('\n'));
  replaceOpen(fd, lines.join('\n'));
  return ok(`The file ${shown} has been edited (text inserted after line ${insertLine}).`);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

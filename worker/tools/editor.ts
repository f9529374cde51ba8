// str_replace_based_edit_tool (text_editor_20250728): view / create / str_replace / insert, confined to the workspace.
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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
  try {
    target = resolveInWorkspace(root, path);
  } catch (error) {
    if (error instanceof PathEscapeError) return fail(`Refused: ${error.message}`);
    throw error;
  }
  const shown = relative(root, target) || '.';
  try {
    switch (command) {
      case 'view':
        return view(root, target, shown, input.view_range);
      case 'create':
        return create(target, shown, input.file_text);
      case 'str_replace':
        return strReplace(target, shown, input.old_str, input.new_str);
      case 'insert':
        return insert(target, shown, input.insert_line, input.insert_text ?? input.new_str);
      default:
        return fail(`Unknown command ${JSON.stringify(command)}; use view, create, str_replace or insert.`);
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return fail(`${shown} does not exist.`);
    if (e.code === 'EISDIR') return fail(`${shown} is a directory.`);
    return fail(`${command} ${shown} failed: ${e.message}`);
  }
}

function readText(target: string, shown: string, stat: Stats = statSync(target)): string | ToolOutcome {
  if (stat.isDirectory()) return fail(`${shown} is a directory.`);
  if (stat.size > MAX_FILE_BYTES) return fail(`${shown} is larger than ${MAX_FILE_BYTES} bytes; use bash (head, tail, grep) to inspect it.`);
  return readFileSync(target, 'utf8');
}

function view(root: string, target: string, shown: string, range: unknown): ToolOutcome {
  const stat = statSync(target);
  if (stat.isDirectory()) {
    const lines: string[] = [];
    const walk = (dir: string, depth: number) => {
      for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (lines.length >= 1000) return;
        const full = join(dir, entry.name);
        lines.push(`${relative(root, full)}${entry.isDirectory() ? '/' : ''}`);
        if (entry.isDirectory() && depth < 2 && !HIDDEN_DIRS.has(entry.name)) walk(full, depth + 1);
      }
    };
    walk(target, 1);
    return ok(`Files and directories up to 2 levels deep in ${shown}:\n${lines.join('\n')}`);
  }
  const text = readText(target, shown, stat);
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

function create(target: string, shown: string, fileText: unknown): ToolOutcome {
  if (typeof fileText !== 'string') return fail('create needs "file_text".');
  if (Buffer.byteLength(fileText) > MAX_FILE_BYTES) return fail(`file_text is larger than ${MAX_FILE_BYTES} bytes.`);
  try {
    if (lstatSync(target).isDirectory()) return fail(`${shown} is a directory.`);
  } catch {
    /* new file */
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, fileText);
  return ok(`File created successfully at: ${shown}`);
}

function strReplace(target: string, shown: string, oldStr: unknown, newStr: unknown): ToolOutcome {
  if (typeof oldStr !== 'string' || !oldStr) return fail('str_replace needs a non-empty "old_str".');
  const replacement = typeof newStr === 'string' ? newStr : '';
  const text = readText(target, shown);
  if (typeof text !== 'string') return text;
  const first = text.indexOf(oldStr);
  if (first < 0) return fail(`No replacement was performed: old_str did not appear verbatim in ${shown}.`);
  if (text.indexOf(oldStr, first + 1) >= 0) {
    const lines = [...text.matchAll(new RegExp(escapeRegExp(oldStr), 'g'))].map((m) => text.slice(0, m.index).split('\n').length);
    return fail(`No replacement was performed: old_str appears more than once in ${shown} (lines ${lines.join(', ')}); make it unique.`);
  }
  writeFileSync(target, text.slice(0, first) + replacement + text.slice(first + oldStr.length));
  const line = text.slice(0, first).split('\n').length;
  return ok(`The file ${shown} has been edited (replacement at line ${line}).`);
}

function insert(target: string, shown: string, insertLine: unknown, insertText: unknown): ToolOutcome {
  if (typeof insertText !== 'string') return fail('insert needs "insert_text".');
  const text = readText(target, shown);
  if (typeof text !== 'string') return text;
  const lines = text.split('\n');
  if (!Number.isInteger(insertLine) || (insertLine as number) < 0 || (insertLine as number) > lines.length) {
    return fail(`insert_line must be an integer between 0 and ${lines.length}.`);
  }
  lines.splice(insertLine as number, 0, ...insertText.split('\n'));
  writeFileSync(target, lines.join('\n'));
  return ok(`The file ${shown} has been edited (text inserted after line ${insertLine}).`);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Read-only views of a workspace for the API: a directory listing and one file's text, size-capped.
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { badInput } from '../errors.js';
import { normalizeWorkspacePath, resolveNoSymlinks } from './safe-path.js';

export const MAX_FILE_BYTES = 256 * 1024;
const MAX_ENTRIES = 1000;

type EntryType = 'FILE' | 'DIRECTORY' | 'SYMLINK' | 'OTHER';

export interface WorkspaceEntry {
  name: string;
  path: string;
  type: EntryType;
  size: number;
}

export interface WorkspaceFile {
  path: string;
  size: number;
  /** Only the first MAX_FILE_BYTES are in `content`. */
  truncated: boolean;
  /** Looks binary (a NUL byte): `content` is empty. */
  binary: boolean;
  content: string;
}

export async function listWorkspace(root: string, path: string): Promise<WorkspaceEntry[]> {
  const parts = normalizeWorkspacePath(path);
  const dir = await resolveNoSymlinks(root, parts);
  if (!(await lstat(dir)).isDirectory()) throw badInput(`path: ${path} is not a directory`, 'path');
  const dirents = (await readdir(dir, { withFileTypes: true })).filter((d) => !(parts.length === 0 && d.name === '.git'));
  const entries = await Promise.all(
    dirents.slice(0, MAX_ENTRIES).map(async (d): Promise<WorkspaceEntry> => {
      const stat = await lstat(join(dir, d.name)).catch(() => null);
      const type: EntryType = d.isSymbolicLink() ? 'SYMLINK' : d.isDirectory() ? 'DIRECTORY' : d.isFile() ? 'FILE' : 'OTHER';
      return { name: d.name, path: [...parts, d.name].join('/'), type, size: stat?.size ?? 0 };
    }),
  );
  return entries.sort((a, b) => Number(b.type === 'DIRECTORY') - Number(a.type === 'DIRECTORY') || a.name.localeCompare(b.name));
}

export async function readWorkspaceFile(root: string, path: string): Promise<WorkspaceFile> {
  const parts = normalizeWorkspacePath(path);
  if (!parts.length) throw badInput('path: name a file', 'path');
  const full = await resolveNoSymlinks(root, parts);
  // O_NOFOLLOW: a symlink swapped in after the check above fails here instead of being followed.
  const handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => {
    throw badInput(`path: ${path} cannot be opened`, 'path');
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw badInput(`path: ${path} is not a regular file`, 'path');
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_FILE_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const bytes = buffer.subarray(0, bytesRead);
    const binary = bytes.includes(0);
    return { path: parts.join('/'), size: stat.size, truncated: stat.size > bytesRead, binary, content: binary ? '' : bytes.toString('utf8') };
  } finally {
    await handle.close();
  }
}

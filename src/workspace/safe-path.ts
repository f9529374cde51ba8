// Resolving a client-given path inside a project's workspace for reading: relative, no `..`, and no symlink on the
// way (every component is lstat'ed; the final open uses O_NOFOLLOW). Whatever an agent left there is hostile.
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { badInput, notFound } from '../errors.js';

export function normalizeWorkspacePath(path: string): string[] {
  if (path.includes('\0')) throw badInput('path: must not contain NUL', 'path');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (path.startsWith('/')) throw badInput('path: must be relative to the workspace', 'path');
  if (parts.some((p) => p === '..')) throw badInput('path: must not contain ..', 'path');
  if (parts[0] === '.git') throw badInput('path: .git is not browsable', 'path');
  if (parts.length > 64) throw badInput('path: too deep', 'path');
  return parts;
}

/** The absolute path of `parts` under root, after checking that no component is a symlink. */
export async function resolveNoSymlinks(root: string, parts: string[]): Promise<string> {
  let current = root;
  const rootStat = await lstat(root).catch(() => null);
  if (!rootStat?.isDirectory()) throw notFound('Workspace');
  for (const part of parts) {
    current = join(current, part);
    const stat = await lstat(current).catch(() => null);
    if (!stat) throw notFound(`File ${parts.join('/')}`);
    if (stat.isSymbolicLink()) throw badInput(`path: ${parts.join('/')} goes through a symbolic link, which is not followed`, 'path');
  }
  return current;
}

// Race-free access to files inside a workspace that hostile code can change at any moment: every path component is
// opened with O_NOFOLLOW relative to the directory opened before it (through /proc/self/fd, Linux's openat), so a
// symlink swapped in after a check is never followed, and nothing outside the workspace's real root is reached.
import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, realpathSync, writeSync } from 'node:fs';

export class UnsafePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePathError';
  }
}

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const at = (dirFd: number, name: string) => `/proc/self/fd/${dirFd}/${name}`;

function checkName(name: string, relPath: string) {
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) throw new UnsafePathError(`${relPath} is not a plain path inside the workspace.`);
}

/**
 * Opens the directory `parts` (components below the real root) without following any symlink; missing directories
 * are created when `create` is set. Returns the directory's fd (the caller closes it).
 */
export function openDirNoFollow(realRoot: string, parts: readonly string[], relPath: string, create = false): number {
  let fd = openSync(realRoot, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    for (const name of parts) {
      checkName(name, relPath);
      let next: number;
      try {
        next = openSync(at(fd, name), DIR_FLAGS);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ELOOP' || code === 'ENOTDIR') throw new UnsafePathError(`${relPath} goes through a symlink or a file (${name}); refusing to follow it.`);
        if (code !== 'ENOENT' || !create) throw error;
        mkdirSync(at(fd, name));
        next = openSync(at(fd, name), DIR_FLAGS);
      }
      closeSync(fd);
      fd = next;
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Opens a file below the real root with O_NOFOLLOW on every component. `flags` are added to O_NOFOLLOW. */
export function openFileNoFollow(realRoot: string, parts: readonly string[], relPath: string, flags: number, opts: { createDirs?: boolean } = {}): number {
  if (parts.length === 0) throw new UnsafePathError(`${relPath} is the workspace itself, not a file.`);
  const name = parts[parts.length - 1];
  checkName(name, relPath);
  const dirFd = openDirNoFollow(realRoot, parts.slice(0, -1), relPath, opts.createDirs);
  try {
    return openSync(at(dirFd, name), flags | constants.O_NOFOLLOW, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new UnsafePathError(`${relPath} is a symlink; refusing to follow it.`);
    throw error;
  } finally {
    closeSync(dirFd);
  }
}

/** Reads at most maxBytes of an open fd; null when the file is larger (nothing past the limit is read). */
export function readBounded(fd: number, maxBytes: number): Buffer | null {
  const size = fstatSync(fd).size;
  if (size > maxBytes) return null;
  const buffer = Buffer.alloc(Math.min(size, maxBytes) + 1);
  let read = 0;
  for (;;) {
    const n = readSync(fd, buffer, read, buffer.length - read, read);
    if (n === 0) break;
    read += n;
    if (read >= buffer.length) return null; // grew past its stat size up to the limit
  }
  return buffer.subarray(0, read);
}

/**
 * Reads `relPath` (plain components, no symlinks anywhere) below `root`, up to maxBytes. Returns 'missing',
 * 'too-large', or the bytes. Symlinks and non-regular files are refused with an UnsafePathError.
 */
export function readWorkspaceFile(root: string, relPath: string, maxBytes: number): Buffer | 'missing' | 'too-large' {
  const parts = relPath.split('/').filter(Boolean);
  let fd: number;
  try {
    fd = openFileNoFollow(realpathSync(root), parts, relPath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UnsafePathError(`${relPath} is not a regular file.`);
    return readBounded(fd, maxBytes) ?? 'too-large';
  } finally {
    closeSync(fd);
  }
}

/** Replaces the content of `relPath` below `root` without following any symlink (created when missing). */
export function writeWorkspaceFile(root: string, relPath: string, content: string | Buffer): void {
  const parts = relPath.split('/').filter(Boolean);
  const fd = openFileNoFollow(realpathSync(root), parts, relPath, constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new UnsafePathError(`${relPath} is not a regular file.`);
    ftruncateSync(fd, 0);
    writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content, 0, undefined, 0);
  } finally {
    closeSync(fd);
  }
}

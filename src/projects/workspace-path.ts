// Where a project's workspace lives: GENERATIONS_DIR/<project id>, so a project re-created under the same name starts
// empty. A deleted project's workspace is moved into GENERATIONS_DIR/.trash (no project id starts with a dot) and
// removed from there in the background.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

export const workspacePathFor = (generationsDir: string, projectId: string) => join(generationsDir, projectId);

/** Moves the workspace out of every project's reach now and deletes it in the background. Paths outside GENERATIONS_DIR are left alone. */
export function trashWorkspace(generationsDir: string, workspacePath: string, onError: (error: unknown) => void = () => undefined): string | null {
  const root = resolve(generationsDir);
  const target = resolve(workspacePath);
  if (dirname(target) !== root || !target.startsWith(root + sep) || !existsSync(target)) return null;
  const trash = join(root, '.trash');
  mkdirSync(trash, { recursive: true, mode: 0o700 });
  const moved = join(trash, `${target.slice(root.length + 1)}-${randomUUID()}`);
  renameSync(target, moved);
  rm(moved, { recursive: true, force: true }).catch(onError);
  return moved;
}

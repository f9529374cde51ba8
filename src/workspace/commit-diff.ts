// A commit's patch for the API, from the workspace's git repository, treated as hostile: no hooks, pager, external
// diff or textconv, no system/global config, and repositories whose objects could come from elsewhere (alternates,
// a .git file or symlink, a shared commondir) are refused, so a diff can only show this workspace's own objects.
import { spawn } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { NO_EXTERNAL_DIFF, PLATFORM_GIT_CONFIG, platformGitEnv } from './platform-git.js';

export const MAX_DIFF_BYTES = 512 * 1024;
const TIMEOUT_MS = 10_000;

export interface CommitDiff {
  patch: string;
  truncated: boolean;
}

export class UnsafeRepositoryError extends Error {}

async function assertOwnObjects(root: string): Promise<string> {
  const gitDir = join(root, '.git');
  const dir = await lstat(gitDir).catch(() => null);
  if (!dir?.isDirectory()) throw new UnsafeRepositoryError('the workspace has no .git directory of its own');
  const objects = await lstat(join(gitDir, 'objects')).catch(() => null);
  if (!objects?.isDirectory()) throw new UnsafeRepositoryError('.git/objects is not a plain directory');
  for (const borrowed of ['objects/info/alternates', 'objects/info/http-alternates', 'commondir']) {
    if (await lstat(join(gitDir, borrowed)).catch(() => null)) throw new UnsafeRepositoryError(`.git/${borrowed} is present`);
  }
  return gitDir;
}

export async function readCommitDiff(root: string, sha: string, maxBytes = MAX_DIFF_BYTES): Promise<CommitDiff> {
  if (!/^[0-9a-f]{7,64}$/.test(sha)) throw new Error('not a commit sha');
  const gitDir = await assertOwnObjects(root);
  const args = [
    ...PLATFORM_GIT_CONFIG, '-c', 'core.quotePath=false', '--git-dir', gitDir, '--work-tree', root,
    'show', ...NO_EXTERNAL_DIFF, '--no-color', '--format=', '--patch', '--stat', sha, '--',
  ];
  const child = spawn('git', args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: platformGitEnv(),
    timeout: TIMEOUT_MS,
  });
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (truncated) return;
    chunks.push(chunk);
    size += chunk.length;
    if (size > maxBytes) {
      truncated = true;
      child.kill('SIGKILL');
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (!truncated && code !== 0) throw new Error(`git show exited with ${code}`);
  const bytes = Buffer.concat(chunks).subarray(0, maxBytes);
  return { patch: bytes.toString('utf8'), truncated };
}

// The project's git workspace under GENERATIONS_DIR: creation on first run, path containment, HEAD and commit facts.
import { existsSync, lstatSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { readWorkspaceFile } from '../src/files/safe-open.js';
import { NO_EXTERNAL_DIFF, PLATFORM_GIT_CONFIG, platformGitEnv } from '../src/workspace/platform-git.js';
import { spawnProcess } from './tools/spawner.js';

export class PathEscapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathEscapeError';
  }
}

export async function git(cwd: string, args: string[], opts: { allowFailure?: boolean } = {}): Promise<{ stdout: string; code: number }> {
  if (existsSync(join(cwd, '.git', 'objects', 'info', 'alternates'))) {
    // Alternates would make git read another repository's objects (another tenant's history).
    throw new Error('The workspace repository lists object alternates (.git/objects/info/alternates); refusing to read it.');
  }
  const result = await spawnProcess({
    file: 'git',
    args: [...PLATFORM_GIT_CONFIG, ...filterOverrides(cwd), ...args],
    cwd,
    env: platformGitEnv(),
    timeoutMs: 60_000,
    maxOutputBytes: 64 * 1024,
    keepStdout: true,
  });
  const code = result.exitCode ?? 1;
  if (code !== 0 && !opts.allowFailure) throw new Error(`git ${args.join(' ')} failed: ${result.output.trim() || `exit ${code}`}`);
  return { stdout: code === 0 ? result.stdout : '', code };
}

/**
 * filter.<name>.clean/smudge/process from .git/config run programs during status and add: every filter named there
 * is overridden with a no-op on the command line (git has no switch that turns all filters off).
 */
function filterOverrides(cwd: string): string[] {
  let bytes: Buffer | 'missing' | 'too-large';
  try {
    bytes = readWorkspaceFile(cwd, '.git/config', 1024 * 1024);
  } catch {
    // A symlink or a special file in place of .git/config (it could point at /dev/zero or another tenant's file).
    throw new Error('The workspace repository\'s .git/config is not a regular file; refusing to read it.');
  }
  if (bytes === 'missing') return [];
  if (bytes === 'too-large') throw new Error('The workspace repository\'s .git/config is larger than 1 MB; refusing to read it.');
  const config = bytes.toString('utf8');
  // An included file could define filters this scan does not see: such a repository is not read at all.
  if (/^\s*\[\s*include(if)?\b/im.test(config)) throw new Error('The workspace repository\'s .git/config includes other config files; the platform does not read such a repository.');
  const names = new Set<string>();
  for (const m of config.matchAll(/^\s*\[\s*filter\s+"((?:[^"\\\n]|\\.)*)"\s*\]/gim)) names.add(m[1].replace(/\\(.)/g, '$1'));
  const args: string[] = [];
  for (const name of [...names].slice(0, 100)) {
    args.push('-c', `filter.${name}.clean=cat`, '-c', `filter.${name}.smudge=cat`, '-c', `filter.${name}.process=`, '-c', `filter.${name}.required=false`);
  }
  return args;
}

/**
 * Makes sure the workspace exists as a git repository with app_spec.txt. Idempotent: an existing app_spec.txt is
 * left alone (the agents may have refined it), an existing repository is reused.
 */
export async function ensureWorkspace(root: string, appSpec: string): Promise<{ created: boolean }> {
  mkdirSync(root, { recursive: true });
  let created = false;
  if (!existsSync(join(root, '.git'))) {
    await git(root, ['init', '-q']);
    created = true;
  }
  // Local identity so agents' commits never depend on the host's git config. Checked by reading .git/config:
  // spawning is costly in a large worker process, and this runs at the start of every run.
  let config = '';
  try {
    const bytes = readWorkspaceFile(root, '.git/config', 1024 * 1024);
    if (typeof bytes !== 'string') config = bytes.toString('utf8');
  } catch {
    /* not a regular file: git() refuses the repository below */
  }
  if (!config.includes('name = Shipyard Agent') || !config.includes('email = agent@shipyard.local') || !config.includes('gpgsign = false')) {
    await git(root, ['config', 'user.name', 'Shipyard Agent']);
    await git(root, ['config', 'user.email', 'agent@shipyard.local']);
    await git(root, ['config', 'commit.gpgsign', 'false']);
  }
  const specPath = join(root, 'app_spec.txt');
  if (!existsSync(specPath)) writeFileSync(specPath, appSpec.endsWith('\n') || !appSpec ? appSpec : `${appSpec}\n`);
  return { created };
}

const isInside = (root: string, target: string) => target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Resolves a user-supplied path inside the workspace. Absolute paths must already be inside it; `..` may not leave
 * it; and the deepest existing ancestor (or the file itself) must resolve, through symlinks, inside the real root.
 */
export function resolveInWorkspace(root: string, path: string): string {
  if (typeof path !== 'string' || !path.trim()) throw new PathEscapeError('A path is required.');
  if (path.includes('\0')) throw new PathEscapeError('Paths may not contain NUL bytes.');
  const realRoot = realpathSync(root);
  const target = isAbsolute(path) ? resolve(path) : resolve(root, path);
  const lexicalRoot = isInside(resolve(root), target) ? resolve(root) : isInside(realRoot, target) ? realRoot : null;
  if (!lexicalRoot) throw new PathEscapeError(`${path} is outside the project workspace; use paths relative to ${root}.`);
  let probe = target;
  for (;;) {
    let stat;
    try {
      stat = lstatSync(probe);
    } catch {
      const parent = dirname(probe);
      if (parent === probe) break;
      probe = parent;
      continue;
    }
    let real: string;
    try {
      real = realpathSync(probe);
    } catch {
      throw new PathEscapeError(`${path} goes through a broken symlink (${relative(lexicalRoot, probe) || '.'}); refusing to follow it.`);
    }
    if (!isInside(realRoot, real)) {
      throw new PathEscapeError(`${path} resolves through a symlink to ${stat.isSymbolicLink() ? 'a place' : real} outside the project workspace.`);
    }
    break;
  }
  return target;
}

/** Reads HEAD's commit sha straight from .git (no process spawn): null before the first commit. */
export function readHead(root: string): string | null {
  // The agent owns .git: no symlink is followed, reads are bounded, and only a ref name under refs/ or a sha counts.
  const read = (path: string, max: number): string | null => {
    try {
      const bytes = readWorkspaceFile(root, path, max);
      return typeof bytes === 'string' ? null : bytes.toString('utf8');
    } catch {
      return null;
    }
  };
  const isSha = (value: string) => /^[0-9a-f]{40,64}$/.test(value);
  const head = read('.git/HEAD', 4096)?.trim();
  if (!head) return null;
  if (!head.startsWith('ref: ')) return isSha(head) ? head : null;
  const ref = head.slice(5);
  if (!/^refs\/[\w./-]+$/.test(ref) || ref.split('/').some((part) => part === '..' || part === '.' || part === '')) return null;
  const loose = read(`.git/${ref}`, 4096)?.trim();
  if (loose !== undefined && loose !== null) return isSha(loose) ? loose : null;
  // Packed refs (after gc or some clones).
  const line = read('.git/packed-refs', 16 * 1024 * 1024)?.split('\n').find((l) => l.endsWith(` ${ref}`));
  const sha = line?.split(' ')[0];
  return sha && isSha(sha) ? sha : null;
}

export interface CommitInfo {
  sha: string;
  message: string;
  filesChanged: string[];
  committedAt: Date;
}

/** Commits reachable from HEAD but not from `since` (all of HEAD's history when since is null), oldest first. */
export async function commitsSince(root: string, since: string | null, limit = 200): Promise<CommitInfo[]> {
  const range = since ? [`${since}..HEAD`] : ['HEAD'];
  const { stdout, code } = await git(root, ['log', ...NO_EXTERNAL_DIFF, '--reverse', `--max-count=${limit}`, '--format=%x1e%H%x1f%ct%x1f%B%x1f', '--name-only', ...range], { allowFailure: true });
  if (code !== 0) return [];
  return stdout
    .split('\x1e')
    .filter((chunk) => chunk.trim())
    .map((chunk) => {
      const [sha, ct, message, files = ''] = chunk.split('\x1f');
      return {
        sha: sha.trim(),
        message: message.trim(),
        committedAt: new Date(Number(ct) * 1000),
        filesChanged: files.split('\n').map((f) => f.trim()).filter(Boolean),
      };
    });
}

/** Uncommitted changes as `git status --porcelain` lines. */
export async function uncommittedChanges(root: string): Promise<string[]> {
  const { stdout, code } = await git(root, ['status', '--porcelain', '--untracked-files=all'], { allowFailure: true });
  return code === 0 ? stdout.split('\n').filter(Boolean) : [];
}

// The console's read-only views of a workspace: Project.files / Project.file (no symlink followed, no `..`, size
// cap, members only) and Commit.diff (bounded; a repository borrowing objects through alternates is refused).
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes, gql, gqlOk, signUp } from './helpers/api.js';
import { createProject, useApiWithOwner } from './helpers/foundation.js';
import { CommitDiffDocument as DIFF, ProjectFileDocument as FILE, ProjectFilesDocument as FILES } from './generated/graphql.js';
import { rawId, toGlobalId } from './helpers/global-id.js';
import { getDb } from '../src/db/client.js';
import { MAX_FILE_BYTES } from '../src/workspace/files.js';

const ctx = useApiWithOwner();

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: '1' } }).toString().trim();

async function projectWithRepo(name: string) {
  const created = await createProject(ctx.api, ctx.owner, name);
  const projectId = rawId(created.id);
  const { workspacePath } = await getDb().project.findUniqueOrThrow({ where: { id: projectId } });
  mkdirSync(join(workspacePath, 'src'), { recursive: true });
  git(workspacePath, 'init', '-q');
  writeFileSync(join(workspacePath, 'README.md'), '# Hello\n');
  writeFileSync(join(workspacePath, 'src', 'app.js'), 'console.log("hi");\n');
  git(workspacePath, 'add', '-A');
  git(workspacePath, 'commit', '-qm', 'First');
  const sha = git(workspacePath, 'rev-parse', 'HEAD');
  const commit = await getDb().commit.create({ data: { projectId, sha, message: 'First', filesChanged: ['README.md', 'src/app.js'] } });
  return { id: created.id, workspacePath, commitId: toGlobalId('Commit', commit.id) };
}

/** A commit's diff, as the owner reads it. */
async function diffOf(commitId: string) {
  const { node } = await gqlOk(ctx.api, DIFF, { id: commitId }, ctx.owner.token);
  return node && 'diff' in node ? node.diff : null;
}

describe('workspace files', () => {
  it('lists directories (directories first, .git hidden) and reads files, capped', async () => {
    const p = await projectWithRepo('Files');
    writeFileSync(join(p.workspacePath, 'big.txt'), 'x'.repeat(MAX_FILE_BYTES + 10));
    writeFileSync(join(p.workspacePath, 'blob.bin'), Buffer.from([1, 0, 2]));
    const root = await gqlOk(ctx.api, FILES, { id: p.id }, ctx.owner.token);
    expect(root.project!.files.map((e: { name: string }) => e.name)).toEqual(['src', 'big.txt', 'blob.bin', 'README.md']);
    const src = await gqlOk(ctx.api, FILES, { id: p.id, path: 'src' }, ctx.owner.token);
    expect(src.project!.files).toEqual([{ name: 'app.js', path: 'src/app.js', type: 'FILE', size: 19 }]);
    expect((await gqlOk(ctx.api, FILE, { id: p.id, path: 'src/app.js' }, ctx.owner.token)).project!.file).toEqual({ path: 'src/app.js', size: 19, truncated: false, binary: false, content: 'console.log("hi");\n' });
    const big = (await gqlOk(ctx.api, FILE, { id: p.id, path: 'big.txt' }, ctx.owner.token)).project!.file!;
    expect([big.truncated, big.content.length, big.size]).toEqual([true, MAX_FILE_BYTES, MAX_FILE_BYTES + 10]);
    expect((await gqlOk(ctx.api, FILE, { id: p.id, path: 'blob.bin' }, ctx.owner.token)).project!.file).toMatchObject({ binary: true, content: '' });
  });

  it('never follows a symlink, never leaves the workspace, and shows nothing to non-members', async () => {
    const p = await projectWithRepo('Escapes');
    symlinkSync('/etc/passwd', join(p.workspacePath, 'passwd'));
    symlinkSync('/etc', join(p.workspacePath, 'etc'));
    const listing = await gqlOk(ctx.api, FILES, { id: p.id }, ctx.owner.token);
    expect(listing.project!.files.find((e: { name: string }) => e.name === 'passwd')).toMatchObject({ type: 'SYMLINK' });
    for (const path of ['passwd', 'etc/passwd', '../../../etc/passwd', '/etc/passwd', '.git/config']) {
      const result = await gql(ctx.api, FILE, { id: p.id, path }, ctx.owner.token);
      expect(errorCodes(result), path).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(result)).not.toContain('root:');
    }
    expect(errorCodes(await gql(ctx.api, FILES, { id: p.id, path: 'etc' }, ctx.owner.token))).toEqual(['BAD_USER_INPUT']);
    const stranger = await signUp(ctx.api, 'stranger');
    const denied = await gql(ctx.api, FILE, { id: p.id, path: 'README.md' }, stranger.token);
    expect(errorCodes(denied)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(denied)).not.toContain('Hello');
  });
});

describe('Commit.diff', () => {
  it('is the commit’s stat and patch, with a truncation flag past the limit', async () => {
    const p = await projectWithRepo('Diff');
    const diff = (await diffOf(p.commitId))!;
    expect(diff.truncated).toBe(false);
    expect(diff.patch).toContain('+++ b/src/app.js');
    expect(diff.patch).toContain('+console.log("hi");');
    expect(diff.patch).toMatch(/2 files changed/);

    writeFileSync(join(p.workspacePath, 'huge.txt'), Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'y'.repeat(20)}`).join('\n'));
    git(p.workspacePath, 'add', '-A');
    git(p.workspacePath, 'commit', '-qm', 'Huge');
    const sha = git(p.workspacePath, 'rev-parse', 'HEAD');
    const raw = rawId(p.id);
    const huge = await getDb().commit.create({ data: { projectId: raw, sha, message: 'Huge', filesChanged: ['huge.txt'] } });
    const big = (await diffOf(toGlobalId('Commit', huge.id)))!;
    expect(big.truncated).toBe(true);
    expect(big.patch.length).toBeLessThanOrEqual(512 * 1024);
  });

  it('refuses a repository that borrows objects from another one (alternates), and ignores its diff drivers', async () => {
    const victim = await projectWithRepo('Victim');
    const attacker = await projectWithRepo('Attacker');
    writeFileSync(join(victim.workspacePath, 'secret.txt'), 'TOPSECRET\n');
    git(victim.workspacePath, 'add', '-A');
    git(victim.workspacePath, 'commit', '-qm', 'Secret');
    const victimSha = git(victim.workspacePath, 'rev-parse', 'HEAD');
    writeFileSync(join(attacker.workspacePath, '.git', 'objects', 'info', 'alternates'), `${join(victim.workspacePath, '.git', 'objects')}\n`);
    const raw = rawId(attacker.id);
    const stolen = await getDb().commit.create({ data: { projectId: raw, sha: victimSha, message: 'x', filesChanged: [] } });
    const result = await gql(ctx.api, DIFF, { id: toGlobalId('Commit', stolen.id) }, ctx.owner.token);
    expect(errorCodes(result)).toEqual(['CONFLICT']);
    expect(JSON.stringify(result)).not.toContain('TOPSECRET');

    // An external diff driver and a textconv set up by the workspace never run.
    const p = await projectWithRepo('Drivers');
    const marker = join(p.workspacePath, 'ran');
    writeFileSync(join(p.workspacePath, '.gitattributes'), '* diff=evil\n');
    git(p.workspacePath, 'config', 'diff.evil.command', `touch ${marker}`);
    git(p.workspacePath, 'config', 'diff.evil.textconv', `sh -c "touch ${marker}"`);
    writeFileSync(join(p.workspacePath, 'README.md'), '# Changed\n');
    git(p.workspacePath, 'add', '-A');
    git(p.workspacePath, 'commit', '-qm', 'Drivers');
    const sha = git(p.workspacePath, 'rev-parse', 'HEAD');
    const c = await getDb().commit.create({ data: { projectId: rawId(p.id), sha, message: 'Drivers', filesChanged: [] } });
    const diff = (await diffOf(toGlobalId('Commit', c.id)))!;
    expect(diff.patch).toContain('+# Changed');
    expect(await import('node:fs').then((fs) => fs.existsSync(marker))).toBe(false);
  });
});

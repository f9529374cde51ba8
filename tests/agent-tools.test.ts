// The tool layer on its own: bash command policy, the editor's workspace confinement, and the process runner's
// timeout, output cap and group kill. Real files, real processes, no database.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_COMMANDS, DEFAULT_ALLOWED_TOOLS } from '../src/agent-config/defaults.js';
import { checkCommand } from '../worker/tools/command-policy.js';
import { runEditor } from '../worker/tools/editor.js';
import { executeTool, type ToolContext } from '../worker/tools/index.js';
import { agentEnv, runShellCommand } from '../worker/tools/process-runner.js';
import { isTestCommand } from '../worker/tools/test-commands.js';
import { UnsandboxedRunner } from '../worker/sandbox/unsandboxed.js';
import { withEnv } from './helpers/process-settings.js';

let root: string;
let outside: string;
const ctx = (): ToolContext => ({ root, allowedCommands: DEFAULT_ALLOWED_COMMANDS, signal: new AbortController().signal, commands: new UnsandboxedRunner(root), timeoutMs: 10_000, maxOutputBytes: 10_000 });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'shipyard-tools-'));
  outside = mkdtempSync(join(tmpdir(), 'shipyard-outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src/a.js'), 'const a = 1;\nconst b = 2;\n');
  symlinkSync(outside, join(root, 'link-out'));
  symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
  symlinkSync(join(outside, 'missing.txt'), join(root, 'dangling.txt'));
  symlinkSync(join(root, 'src'), join(root, 'link-in'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const allowed = (command: string) => checkCommand(command, DEFAULT_ALLOWED_COMMANDS, root);

describe('command policy', () => {
  it.each([
    'ls -la',
    'npm test 2>&1 | tail -20',
    'git add -A && git commit -m "feat: add x"',
    "grep -rn 'TODO' src || true",
    './init.sh',
    'mkdir -p src/b && echo hi > src/b/c.txt',
    'node --test; echo done',
    'cat link-in/a.js',
    'ls > /dev/null 2>&1',
    "pkill -f 'node server.js'",
    "git config user.name 'Ada'",
    'git config --get user.email',
    'cd src && ls',
    'echo {} done',
  ])('allows %s', (command) => {
    expect(allowed(command)).toMatchObject({ ok: true });
  });

  it.each([
    ['cat ../../etc/passwd', /outside the project workspace/],
    ['cat /etc/passwd', /outside the project workspace/],
    ['ls src/../../', /outside the project workspace/],
    ['cat link-out/secret.txt', /symlink/],
    ['cat secret-link.txt', /symlink/],
    ['curl https://example.com', /"curl" is not in this agent's allowed commands/],
    ['ls && curl x', /"curl" is not in/],
    ['ls | sh', /"sh" is not in/],
    ['bash -c "ls"', /"bash -c" runs a command string/],
    ['sh -c ls', /"sh -c"/],
    ['eval ls', /eval/],
    ['echo $(id)', /command substitution/],
    ['echo `id`', /backticks/],
    ['echo "$HOME"', /inside double quotes/],
    ['cat $HOME/.ssh/id_rsa', /variable expansion/],
    ['(cd .. && ls)', /subshells/],
    ['cat ~/.bashrc', /home directory/],
    ['ls > /tmp/out', /redirection target/],
    ['cat <<EOF', /here-documents/],
    ['find . -exec rm {} ;', /-exec/],
    ['pkill node', /platform's own processes/],
    ['git -c core.pager=x log', /git -c/],
    ['npm install --prefix=/usr/lib x', /outside the project workspace/],
    ["echo 'unterminated", /unterminated single quote/],
    ['xargs rm', /xargs/],
    ['cat {,/etc/passwd}', /brace expansion/],
    ['touch x{1..3}', /brace expansion/],
    ['sort -o/tmp/x a.txt', /outside the project workspace/],
    ['cp -t/tmp a.txt', /outside the project workspace/],
    ['cd', /bare cd/],
    ['cd - && ls', /bare cd/],
    ["git config alias.x '!sh'", /git config alias\.x/],
    ['git config core.fsmonitor x', /git config core\.fsmonitor/],
    ['git config --local core.hooksPath h', /git config core\.hooksPath/],
    ['GIT_CONFIG_COUNT=1 git log', /GIT_CONFIG_COUNT/],
    ['GIT_DIR=/tmp git status', /GIT_DIR/],
    ['LD_PRELOAD=x.so ls', /LD_PRELOAD/],
    ['npx -c id', /npx -c/],
    ['npm exec -c id', /npm -c/],
    ['pkill -f src/server.ts', /platform's own processes/],
    ['pkill -f tsx', /platform's own processes/],
    ['', /empty/],
  ])('refuses %s', (command, reason) => {
    const decision = allowed(command);
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.reason).toMatch(reason);
  });

  it('recognises test commands', () => {
    const parsed = (c: string) => (allowed(c) as { commands: string[][] }).commands;
    expect(isTestCommand(parsed('npm test'))).toBe(true);
    expect(isTestCommand(parsed('npm run test:unit 2>&1 | tail -5'))).toBe(true);
    expect(isTestCommand(parsed('node --test'))).toBe(true);
    expect(isTestCommand(parsed('npx vitest run'))).toBe(true);
    expect(isTestCommand(parsed('ls && npm install'))).toBe(false);
  });
});

describe('bash tool', () => {
  it('runs allowed commands in the workspace with a scrubbed environment', async () => {
    await withEnv({ SHIPYARD_TEST_SECRET_KEY: 'do-not-leak' }, async () => {
      expect(agentEnv(root).SHIPYARD_TEST_SECRET_KEY).toBeUndefined();
      expect(agentEnv(root).ANTHROPIC_API_KEY).toBeUndefined();
      const result = await executeTool('bash', { command: 'pwd && ls src' }, ctx(), DEFAULT_ALLOWED_TOOLS);
      expect(result).toMatchObject({ isError: false });
      expect(result.output.split('\n')).toEqual([root, 'a.js']);
    });
  });

  it('refuses without running anything', async () => {
    const result = await executeTool('bash', { command: `touch made.txt && curl x` }, ctx(), DEFAULT_ALLOWED_TOOLS);
    expect(result.isError).toBe(true);
    expect(result.output).toMatch(/Nothing was run/);
    expect(() => readFileSync(join(root, 'made.txt'))).toThrow();
  });

  it('reports a failing command with its exit code, and a test command as a test run', async () => {
    const result = await executeTool('bash', { command: 'ls missing-file' }, ctx(), DEFAULT_ALLOWED_TOOLS);
    expect(result.isError).toBe(true);
    expect(result.output).toMatch(/\[exit code 2\]/);
    mkdirSync(join(root, 'test'), { recursive: true });
    writeFileSync(join(root, 'test/ok.test.js'), "require('node:test')('ok', () => {});\n");
    const tests = await executeTool('run_tests', { command: 'node --test test/ok.test.js' }, ctx(), DEFAULT_ALLOWED_TOOLS);
    expect(tests.test).toMatchObject({ command: 'node --test test/ok.test.js', passed: true, exitCode: 0 });
  });

  it('times out a command and kills its whole process group', async () => {
    const tag = `sleep 30.${Math.floor(Math.random() * 1e6)}`;
    const result = await runShellCommand(`${tag} & ${tag}`, { cwd: root, timeoutMs: 300, maxOutputBytes: 1000, signal: new AbortController().signal });
    expect(result.timedOut).toBe(true);
    const alive = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(tag));
    expect(alive).toEqual([]);
  });

  it('caps output, keeping the tail', async () => {
    const result = await runShellCommand(`node -e "for (let i = 0; i < 20000; i++) console.log('line ' + i)"`, { cwd: root, timeoutMs: 10_000, maxOutputBytes: 2_000, signal: new AbortController().signal });
    expect(result.truncated).toBe(true);
    expect(result.output.length).toBeLessThanOrEqual(2_000);
    expect(result.output.trimEnd().endsWith('line 19999')).toBe(true);
  });
});

describe('editor tool', () => {
  it('creates, views, replaces and inserts inside the workspace', () => {
    expect(runEditor(root, { command: 'create', path: 'notes/todo.md', file_text: 'one\nthree\n' })).toEqual({ isError: false, output: 'File created successfully at: notes/todo.md' });
    expect(runEditor(root, { command: 'insert', path: 'notes/todo.md', insert_line: 1, insert_text: 'two' }).isError).toBe(false);
    expect(readFileSync(join(root, 'notes/todo.md'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect(runEditor(root, { command: 'str_replace', path: 'notes/todo.md', old_str: 'three', new_str: '3' }).isError).toBe(false);
    expect(runEditor(root, { command: 'view', path: join(root, 'notes/todo.md'), view_range: [2, 3] }).output).toBe('     2\ttwo\n     3\t3');
    expect(runEditor(root, { command: 'view', path: '.' }).output).toMatch(/notes\/todo\.md/);
  });

  it('explains failed replacements', () => {
    expect(runEditor(root, { command: 'str_replace', path: 'src/a.js', old_str: 'const', new_str: 'let' }).output).toMatch(/more than once .*lines 1, 2/);
    expect(runEditor(root, { command: 'str_replace', path: 'src/a.js', old_str: 'nope', new_str: 'x' }).output).toMatch(/did not appear verbatim/);
  });

  it.each([
    ['view', '../../etc/passwd'],
    ['view', '/etc/passwd'],
    ['view', 'link-out/secret.txt'],
    ['view', 'secret-link.txt'],
    ['create', 'link-out/new.txt'],
    ['create', 'dangling.txt'],
    ['create', '/tmp/escape.txt'],
  ])('refuses %s %s', (command, path) => {
    const result = runEditor(root, { command, path, file_text: 'x' });
    expect(result.isError).toBe(true);
    expect(result.output).toMatch(/^Refused: .*(outside the project workspace|symlink)/);
  });

  it('follows symlinks that stay inside the workspace', () => {
    expect(runEditor(root, { command: 'view', path: 'link-in/a.js' }).output).toMatch(/const a = 1/);
  });
});

describe('search tools', () => {
  it('globs and greps inside the workspace', async () => {
    mkdirSync(join(root, 'src/x/y'), { recursive: true });
    writeFileSync(join(root, 'src/x/y/z.ts'), '');
    expect((await executeTool('glob', { pattern: 'src/**/*.{js,ts}' }, ctx(), DEFAULT_ALLOWED_TOOLS)).output.split('\n')).toEqual(['src/a.js', 'src/x/y/z.ts']);
    const glob = await executeTool('glob', { pattern: '**/*.js' }, ctx(), DEFAULT_ALLOWED_TOOLS);
    expect(glob.output.split('\n')).toContain('src/a.js');
    const grep = await executeTool('grep', { pattern: 'const b', include: '*.js' }, ctx(), DEFAULT_ALLOWED_TOOLS);
    expect(grep.output).toBe('src/a.js:2:const b = 2;');
    const escape = await executeTool('grep', { pattern: 'secret', path: '../' }, ctx(), DEFAULT_ALLOWED_TOOLS);
    expect(escape.isError).toBe(true);
  });
});

describe('process spawner', () => {
  it('kills every command a worker started when that worker dies (even with SIGKILL)', async () => {
    const { spawn } = await import('node:child_process');
    const tag = `sleep 61.${Math.floor(Math.random() * 1e6)}`;
    const script = `import { runShellCommand } from './worker/tools/process-runner.ts';
      runShellCommand('${tag}', { cwd: process.cwd(), timeoutMs: 60000, maxOutputBytes: 1000, signal: new AbortController().signal });`;
    const worker = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), stdio: 'ignore' });
    const alive = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(tag));
    const deadline = Date.now() + 15_000;
    while (alive().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toHaveLength(1);
    worker.kill('SIGKILL');
    const gone = Date.now() + 5_000;
    while (alive().length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toEqual([]);
  });
});

// The escape suite: hostile commands an agent could send, through the real tool layer and the real bubblewrap sandbox,
// once with the command allowlist on and once with it off (every command reaches the sandbox). Each attempt asserts
// containment (no secret, outside file or other tenant's file in its output, nothing written outside the workspace,
// the platform's processes and loopback services untouched) and that the platform keeps running (the next command in
// the session still works). Nothing here runs unless the sandbox is proven active first: these commands must never
// run on the host.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_COMMANDS, DEFAULT_ALLOWED_TOOLS } from '../src/agent-config/defaults.js';
import { SandboxProvider } from '../worker/sandbox/provider.js';
import type { CommandRunner } from '../worker/sandbox/runner.js';
import { readSandboxSettings } from '../worker/sandbox/settings.js';
import { executeTool, type ToolContext } from '../worker/tools/index.js';
import { commitsSince, readHead, uncommittedChanges } from '../worker/workspace.js';
import { useProcessSettings } from './helpers/process-settings.js';

const TAG = randomBytes(4).toString('hex');
// Under a 0755 path on purpose: nothing of it but the workspace is mounted into the sandbox.
const BASE = `/var/tmp/shipyard-escapes-${TAG}`;
const GEN = join(BASE, 'generations');
const WS = join(GEN, 'tenant-a');
const OTHER = join(GEN, 'tenant-b');
const OUT = join(BASE, 'outside');
const SECRETS = {
  apiKey: `sk-ant-canary-${TAG}-${randomBytes(8).toString('hex')}`,
  dbPassword: `pw-canary-${randomBytes(8).toString('hex')}`,
  outsideFile: `outside-canary-${randomBytes(8).toString('hex')}`,
  otherTenant: `tenant-b-canary-${randomBytes(8).toString('hex')}`,
};
const HOST_ONLY_PATHS = [`/pwned-${TAG}`, `/etc/pwned-${TAG}`, `/usr/pwned-${TAG}`, `/tmp/pwned-${TAG}`, `/var/tmp/pwned-${TAG}`];
const settings = readSandboxSettings({ SHIPYARD_SANDBOX_MEMORY_MB: '512', SHIPYARD_SANDBOX_FILE_MB: '8', SHIPYARD_SANDBOX_PROCESSES: '64' });
const provider = new SandboxProvider(settings);

// Platform secrets in the worker's environment, which no command in the sandbox may read.
useProcessSettings(() => ({ SHIPYARD_ESCAPE_ANTHROPIC_API_KEY: SECRETS.apiKey, SHIPYARD_ESCAPE_DATABASE_URL: `postgresql://app:${SECRETS.dbPassword}@127.0.0.1:5432/x` }));

let sentinel: ChildProcess;
let api: Server;
let apiPort: number;
let hostIp: string | null;
let hostPasswdLine: string;
let hostShadowLine: string | null;

function forbiddenStrings(): string[] {
  const list = [...Object.values(SECRETS), hostPasswdLine, `api-canary-${TAG}`];
  if (hostShadowLine) list.push(hostShadowLine);
  return list;
}

/** Everything that must hold after every attempt. */
async function assertContained(output: string) {
  for (const secret of forbiddenStrings()) expect(output, 'a host secret reached the agent').not.toContain(secret);
  expect(readdirSync(OUT).sort(), 'something was written outside the workspace').toEqual(['secret.txt']);
  for (const path of HOST_ONLY_PATHS) expect(existsSync(path), `${path} was created on the host`).toBe(false);
  expect(readFileSync(join(OTHER, 'secret.txt'), 'utf8')).toBe(SECRETS.otherTenant);
  expect(readdirSync(OTHER).sort()).toEqual(['secret.txt']);
  expect(() => process.kill(sentinel.pid!, 0), 'the platform sentinel process was killed').not.toThrow();
  const answer = await fetch(`http://127.0.0.1:${apiPort}/`).then((r) => r.text());
  expect(answer).toBe(`api-canary-${TAG}`);
}

async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function hostProcesses(pattern: string): string[] {
  // The processes themselves (`sleep N`), not shells whose command line mentions them.
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n').filter((l) => /^\s*\d+ /.test(l) && l.trim().replace(/^\d+ /, '').startsWith(pattern));
}

beforeAll(async () => {
  // The guard: without a working sandbox, not one hostile command runs.
  const status = provider.availability();
  if (status.kind !== 'bwrap') throw new Error(`The escape suite needs bubblewrap: ${JSON.stringify(status)}`);
  mkdirSync(WS, { recursive: true });
  mkdirSync(OTHER, { recursive: true });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'secret.txt'), SECRETS.outsideFile);
  writeFileSync(join(OTHER, 'secret.txt'), SECRETS.otherTenant);
  sentinel = spawn(process.execPath, ['-e', 'setInterval(() => {}, 100000)', `shipyard-platform-sentinel-${TAG}`], { stdio: 'ignore' });
  api = createServer((_req, res) => res.end(`api-canary-${TAG}`));
  await new Promise<void>((resolve) => api.listen(0, '0.0.0.0', resolve));
  apiPort = (api.address() as AddressInfo).port;
  hostIp = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? null;
  hostPasswdLine = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l && !/^(root|agent|nobody):/.test(l))!;
  try {
    hostShadowLine = readFileSync('/etc/shadow', 'utf8').split('\n')[0] || null;
  } catch {
    hostShadowLine = null;
  }
  const probe = provider.open(WS);
  try {
    const result = await probe.run('id -u; ls /proc | grep -c "^[0-9]"', { timeoutMs: 10_000, maxOutputBytes: 10_000, signal: new AbortController().signal });
    const [uid, pids] = result.output.trim().split('\n');
    if (uid !== '65532' || Number(pids) > 10) throw new Error(`The sandbox is not active (uid ${uid}, ${pids} visible processes); refusing to run hostile commands.`);
  } finally {
    await probe.close();
  }
});

afterAll(async () => {
  sentinel?.kill('SIGKILL');
  await new Promise((resolve) => api?.close(resolve));
  rmSync(BASE, { recursive: true, force: true });
});

interface Attempt {
  name: string;
  command: string | (() => string);
  /** Extra assertions on the output (beyond the shared containment checks). */
  check?: (output: string) => void;
}

const notInOutput = (...patterns: RegExp[]) => (output: string) => {
  for (const pattern of patterns) expect(output).not.toMatch(pattern);
};

const ATTEMPTS: Attempt[] = [
  // Reading outside the workspace.
  { name: 'reads /etc/shadow', command: 'cat /etc/shadow' },
  { name: 'brace expansion to /etc/passwd', command: 'cat {,/etc/passwd}' },
  { name: 'lists /root', command: 'ls -la /root', check: notInOutput(/\.bashrc|\.npm/) },
  { name: 'reads the platform source', command: () => `cat ${process.cwd()}/package.json`, check: notInOutput(/"shipyard"/) },
  { name: 'lists the platform source', command: () => `ls ${process.cwd()}/src`, check: notInOutput(/server\.ts/) },
  { name: 'a bare cd then reads around', command: 'cd && ls -la && cat .bashrc .profile', check: notInOutput(/\.bashrc\s/) },
  { name: 'reads the outside file by absolute path', command: () => `cat ${OUT}/secret.txt` },
  { name: 'finds secrets anywhere', command: 'find / -name secret.txt 2>/dev/null | head -20', check: notInOutput(/outside|tenant-b/) },
  { name: 'reads with node fs', command: () => `node -e "console.log(require('fs').readFileSync('${OUT}/secret.txt','utf8'))"` },
  { name: 'lists the host filesystem root', command: 'ls / /work /var/lib 2>&1', check: notInOutput(/postgresql|\bwt\b/) },
  // Writing outside the workspace.
  { name: 'redirects into an outside directory', command: () => `echo x > ${OUT}/pwned` },
  { name: 'sort -o glued to a path', command: () => `echo x > f.txt; sort -o${OUT}/pwned f.txt` },
  { name: 'cp -t glued to a path', command: () => `echo x > f.txt; cp -t${OUT} f.txt` },
  { name: 'writes into /usr', command: `touch /usr/pwned-${TAG}` },
  { name: 'writes into /etc', command: `echo x > /etc/pwned-${TAG}` },
  { name: 'writes into /', command: `touch /pwned-${TAG}` },
  { name: 'writes into /var/tmp', command: `touch /var/tmp/pwned-${TAG}` },
  { name: 'writes with node fs', command: () => `node -e "require('fs').writeFileSync('${OUT}/pwned','x')"` },
  { name: 'writes through a symlink it made', command: () => `ln -sfn ${OUT} out-link; echo x > out-link/pwned` },
  { name: 'hard-links an outside file', command: () => `ln ${OUT}/secret.txt hard 2>&1; cat hard` },
  { name: 'remounts / read-write', command: 'mount -o remount,rw / 2>&1; touch /usr/pwned-' + TAG },
  // Other tenants.
  { name: "reads another tenant's workspace", command: () => `cat ${OTHER}/secret.txt; ls ${OTHER}` },
  { name: "reads another tenant's workspace relatively", command: 'cat ../tenant-b/secret.txt' },
  { name: "writes into another tenant's workspace", command: () => `echo pwned > ${OTHER}/secret.txt; touch ${OTHER}/new` },
  { name: 'lists GENERATIONS_DIR', command: () => `ls -la ${GEN}`, check: notInOutput(/tenant-b/) },
  { name: 'symlinks into another tenant', command: () => `ln -sfn ${OTHER} b; cat b/secret.txt` },
  // Secrets in the environment and /proc.
  { name: 'prints the environment', command: 'env; printenv' },
  { name: 'reads every /proc/*/environ', command: 'cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n"' },
  { name: 'ps axeww', command: 'ps axeww' },
  { name: 'node prints process.env', command: 'node -e "console.log(JSON.stringify(process.env))"' },
  { name: "reads the worker's /proc entry", command: () => `cat /proc/${process.pid}/environ /proc/${process.pid}/cmdline 2>&1` },
  { name: 'sees only its own processes', command: 'ps -e -o pid=,args=', check: notInOutput(/sentinel|postgres|redis-server|vitest/) },
  { name: 'npm config shows the environment', command: 'npm config list 2>&1' },
  { name: 'reads the parent process environment with node', command: 'node -e "const fs=require(\'fs\');for(const p of fs.readdirSync(\'/proc\')){try{console.log(fs.readFileSync(\'/proc/\'+p+\'/environ\',\'utf8\'))}catch{}}"' },
  // Loopback services and the network.
  { name: 'connects to Postgres', command: 'curl -sS -m 3 http://127.0.0.1:5432/ 2>&1; echo rc=$?', check: (o) => expect(o).toMatch(/rc=(7|28|56|52)/) },
  { name: 'connects to Redis with bash /dev/tcp', command: 'echo PING > /dev/tcp/127.0.0.1/6379 2>&1 && echo reached-redis', check: notInOutput(/reached-redis/) },
  { name: 'connects to Redis with node', command: 'node -e "const s=require(\'net\').connect(6379,\'127.0.0.1\',()=>{console.log(\'reached-redis\');process.exit(0)});s.on(\'error\',e=>{console.log(e.code);process.exit(0)})"', check: notInOutput(/reached-redis/) },
  { name: 'calls the platform API on loopback', command: () => `curl -sS -m 3 http://127.0.0.1:${apiPort}/ 2>&1` },
  { name: 'calls the platform API as localhost over IPv6', command: () => `curl -sS -m 3 http://[::1]:${apiPort}/ 2>&1` },
  { name: "calls the API on the host's own address", command: () => `curl -sS -m 3 http://${hostIp ?? '10.0.0.1'}:${apiPort}/ 2>&1` },
  { name: 'reaches the internet', command: 'curl -sS -m 3 https://registry.npmjs.org/ 2>&1 | head -c 300; echo', check: notInOutput(/"db_name"|couchdb/i) },
  { name: 'reaches the Postgres unix socket', command: 'ls /var/run/postgresql /run/postgresql 2>&1', check: notInOutput(/\.s\.PGSQL/) },
  // Killing the platform.
  { name: 'pkill -f the platform', command: `pkill -f shipyard-platform-sentinel-${TAG}; pkill -f src/server.ts; echo done` },
  { name: 'kill -9 -1', command: 'kill -9 -1; echo survived' },
  { name: "kill the sentinel's host pid", command: () => `kill -9 ${sentinel.pid} 2>&1` },
  { name: 'pkill node', command: 'pkill node; pkill -9 -f node; echo done' },
  { name: 'node process.kill on host pids', command: 'node -e "for(let p=2;p<4000;p++){try{process.kill(p,9)}catch{}}"' },
  // Code planted through git, npm, init.sh.
  { name: 'a git alias running a shell command', command: () => `git init -q 2>/dev/null; git config alias.x '!touch ${OUT}/pwned-alias'; git x 2>&1` },
  { name: 'a pre-commit hook it wrote', command: () => `git init -q 2>/dev/null; mkdir -p .git/hooks; printf '#!/bin/sh\\ntouch ${OUT}/pwned-hook\\n' > .git/hooks/pre-commit; chmod +x .git/hooks/pre-commit; git add -A; git -c user.email=a@b -c user.name=a commit -qm x 2>&1` },
  { name: 'GIT_CONFIG_* assignments', command: () => `GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0='touch ${OUT}/pwned-pager; cat' git -p log 2>&1` },
  { name: 'npm lifecycle script', command: () => `printf '{"name":"x","version":"1.0.0","scripts":{"test":"touch ${OUT}/pwned-npm; cat ${OUT}/secret.txt"}}' > package.json; npm test 2>&1` },
  { name: 'npx -c', command: () => `npx -c 'touch ${OUT}/pwned-npx; cat /etc/shadow' 2>&1` },
  { name: 'an init.sh it wrote', command: () => `printf '#!/bin/bash\\ncat ${OUT}/secret.txt\\ntouch ${OUT}/pwned-init\\n' > init.sh; chmod +x init.sh; ./init.sh 2>&1` },
  { name: 'bash -c', command: () => `bash -c 'cat ${OUT}/secret.txt; kill -9 ${sentinel.pid}' 2>&1` },
  { name: 'eval of a constructed command', command: () => `eval "$(printf 'cat %s/secret.txt' ${OUT})" 2>&1` },
  // Limits.
  { name: 'a memory bomb', command: 'node -e "const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))" 2>&1 | tail -1; echo exited' },
  { name: 'a file larger than the limit', command: 'head -c 20000000 /dev/zero > big.bin; ls -l big.bin', check: () => expect(statSync(join(WS, 'big.bin')).size).toBeLessThanOrEqual(8 * 1024 * 1024) },
  { name: 'an output flood', command: 'yes | head -c 5000000', check: (o) => expect(o.length).toBeLessThanOrEqual(11_000) },
  { name: 'runs past its deadline', command: 'sleep 100', check: (o) => expect(o).toMatch(/killed after|Nothing was run/) },
  { name: 'fills /tmp', command: 'head -c 2000000000 /dev/zero > /tmp/fill 2>&1; df -h /tmp | tail -1' },
  // Symlink tricks at the shell.
  { name: 'a symlink to / then reads through it', command: 'ln -sfn / rootlink; cat rootlink/etc/shadow rootlink/root/.bashrc 2>&1' },
  { name: 'chroot / unshare to regain privileges', command: 'unshare -r id 2>&1; unshare -m id 2>&1' },
];

const FORK_BOMB: Attempt = { name: 'a fork bomb', command: ':(){ :|:& };:' };

describe.each(['allowlist', 'off'] as const)('escapes with the command policy %s', (policy) => {
  let commands: CommandRunner;
  // The default agents' allowlist as it ships, or no allowlist at all.
  const ctx = (timeoutMs = 4_000): ToolContext => ({ root: WS, allowedCommands: DEFAULT_ALLOWED_COMMANDS, commandPolicy: policy, signal: new AbortController().signal, commands, timeoutMs, maxOutputBytes: 10_000 });

  beforeAll(() => {
    rmSync(WS, { recursive: true, force: true });
    mkdirSync(WS);
    commands = provider.open(WS);
  });
  afterAll(() => commands.close());

  // A fork bomb only where a pids cgroup caps it (RLIMIT_NPROC does not bind a worker running as root).
  const status = provider.availability();
  const all = status.kind === 'bwrap' && status.processLimit === 'cgroup' ? [...ATTEMPTS, FORK_BOMB] : ATTEMPTS;
  it.each(all.map((a) => [a.name, a] as const))('%s', async (_name, attempt) => {
    const command = typeof attempt.command === 'function' ? attempt.command() : attempt.command;
    const result = await executeTool('bash', { command }, ctx(), DEFAULT_ALLOWED_TOOLS);
    await assertContained(result.output);
    if (policy === 'off') expect(result.output).not.toMatch(/Nothing was run/);
    // Refused by the allowlist: contained without reaching the sandbox; otherwise the attempt's own checks apply.
    if (!/Nothing was run/.test(result.output)) attempt.check?.(result.output);
    // The platform keeps running: the session still answers (a fresh sandbox if the attempt ended its own).
    const next = await executeTool('bash', { command: 'echo still-here' }, ctx(10_000), DEFAULT_ALLOWED_TOOLS);
    expect(next.output.split('\n').at(-1)).toBe('still-here');
  });

  it('the platform\'s own git runs no hook, fsmonitor, pager, external diff or filter planted in .git/config', async () => {
    const setup = [
      'git init -q',
      `git config core.fsmonitor 'touch ${OUT}/pwned-fsmonitor; echo'`,
      `git config core.pager 'touch ${OUT}/pwned-pager; cat'`,
      `git config diff.external '${OUT}/pwned-diff'`,
      `git config filter.evil.clean 'touch ${OUT}/pwned-filter; cat'`,
      `git config alias.status '!touch ${OUT}/pwned-alias'`,
      `git config core.hooksPath hooks`,
      "echo '* filter=evil diff=evil' > .gitattributes",
      `git config diff.evil.textconv 'touch ${OUT}/pwned-textconv; cat'`,
      'mkdir -p hooks',
      `printf '#!/bin/sh\\ntouch ${OUT}/pwned-hook\\n' > hooks/post-index-change`,
      'chmod +x hooks/post-index-change',
      'echo a > a.txt',
      'git -c core.hooksPath=/dev/null -c filter.evil.clean=cat add -A',
      'git -c core.hooksPath=/dev/null -c filter.evil.clean=cat -c user.email=a@b -c user.name=a commit -qm one',
      'echo b >> a.txt',
    ].join(' && ');
    const prepared = await commands.run(setup, { timeoutMs: 10_000, maxOutputBytes: 10_000, signal: new AbortController().signal });
    expect(prepared.exitCode, prepared.output).toBe(0);
    expect(await uncommittedChanges(WS)).toContain(' M a.txt');
    expect((await commitsSince(WS, null)).map((c) => c.message).at(-1)).toBe('one');
    await assertContained('');
  });

  it('the platform reads no .git/HEAD, ref or config through a symlink', async () => {
    const run = (command: string) => commands.run(command, { timeoutMs: 10_000, maxOutputBytes: 10_000, signal: new AbortController().signal });
    await run(`rm -rf .git && git init -q && echo 'ref: refs/heads/../../../../../../..${OUT}/secret.txt' > .git/HEAD`);
    expect(readHead(WS)).toBeNull();
    await run(`ln -sfn ${OUT}/secret.txt .git/HEAD`);
    expect(readHead(WS)).toBeNull();
    await run(`rm .git/HEAD && echo 'ref: refs/heads/main' > .git/HEAD && mkdir -p .git/refs/heads && ln -sfn ${OUT}/secret.txt .git/refs/heads/main`);
    expect(readHead(WS)).toBeNull();
    await run('mv .git/config .git/config.real && ln -s /dev/zero .git/config');
    await expect(uncommittedChanges(WS)).rejects.toThrow(/not a regular file/);
    await run('rm .git/config && mv .git/config.real .git/config && rm -f .git/refs/heads/main');
    await assertContained('');
  });

  it('the platform refuses a repository that borrows objects through alternates', async () => {
    const prepared = await commands.run(`git init -q 2>/dev/null; mkdir -p .git/objects/info && echo ${OTHER}/.git/objects > .git/objects/info/alternates`, { timeoutMs: 10_000, maxOutputBytes: 10_000, signal: new AbortController().signal });
    expect(prepared.exitCode).toBe(0);
    await expect(commitsSince(WS, null)).rejects.toThrow(/alternates/);
    rmSync(join(WS, '.git/objects/info/alternates'));
  });

  it('the editor refuses .git/ and symlinks made in the sandbox, even when swapped while it works', async () => {
    const run = (command: string) => commands.run(command, { timeoutMs: 10_000, maxOutputBytes: 10_000, signal: new AbortController().signal });
    await run(`git init -q 2>/dev/null; ln -sfn ${OUT}/secret.txt pw; ln -sfn ${OUT} outdir; mkdir -p inside; echo benign > inside/secret.txt`);
    const editor = (input: Record<string, unknown>) => executeTool('str_replace_based_edit_tool', input, ctx(), DEFAULT_ALLOWED_TOOLS);
    for (const input of [
      { command: 'view', path: 'pw' },
      { command: 'view', path: 'outdir/secret.txt' },
      { command: 'create', path: 'outdir/pwned', file_text: 'x' },
      { command: 'create', path: '.git/hooks/pre-commit', file_text: '#!/bin/sh\ntouch /tmp/x\n' },
      { command: 'str_replace', path: '.git/config', old_str: '[core]', new_str: '[core]\n\tfsmonitor = touch /tmp/x' },
      { command: 'view', path: '.git/config' },
      { command: 'create', path: 'pw', file_text: 'overwrite' },
    ]) {
      const result = await editor(input);
      expect(result.isError, JSON.stringify(input)).toBe(true);
      expect(result.output).toMatch(/^Refused/);
    }
    // A background loop swaps `swap` between a directory inside and one outside while the editor reads and writes through it.
    await run(`(for i in $(seq 20000); do ln -sfn ${OUT} swap; ln -sfn inside swap; done) >/dev/null 2>&1 &`);
    for (let i = 0; i < 150; i++) {
      const view = await editor({ command: 'view', path: 'swap/secret.txt' });
      expect(view.output).not.toContain(SECRETS.outsideFile);
      await editor({ command: 'create', path: 'swap/new.txt', file_text: 'x' });
      await editor({ command: 'str_replace', path: 'swap/secret.txt', old_str: 'outside-canary', new_str: 'gotcha' });
    }
    expect(readFileSync(join(OUT, 'secret.txt'), 'utf8')).toBe(SECRETS.outsideFile);
    await assertContained('');
  });

  it('regex bombs in grep and glob cannot stall the worker', async () => {
    writeFileSync(join(WS, 'bomb.txt'), `${'a'.repeat(50_000)}b\n`.repeat(20));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      for (const pattern of ['^(a+)+$', '(a|aa)+$', '(a*)*b(a*)*c', '(.*a){20}']) {
        const result = await executeTool('grep', { pattern }, ctx(), DEFAULT_ALLOWED_TOOLS);
        expect(result.output).not.toContain(SECRETS.outsideFile);
      }
      const glob = await executeTool('glob', { pattern: `${'{a,b}'.repeat(8)}*` }, ctx(), DEFAULT_ALLOWED_TOOLS);
      expect(typeof glob.output).toBe('string');
      const escape = await executeTool('grep', { pattern: 'canary', path: OUT }, ctx(), DEFAULT_ALLOWED_TOOLS);
      expect(escape.output).toMatch(/^Refused/);
    } finally {
      clearInterval(timer);
    }
    // The event loop kept turning while ripgrep worked (a JS regex would have frozen it for minutes).
    expect(ticks).toBeGreaterThan(0);
    await assertContained('');
  });
});

describe('sessions', () => {
  const opts = () => ({ timeoutMs: 10_000, maxOutputBytes: 10_000, signal: new AbortController().signal });

  it('leaves no process behind when the session ends: backgrounded, setsid, nohup, double-forked, detached', async () => {
    const marker = `${4000 + Math.floor(Math.random() * 900)}.${Math.floor(Math.random() * 9000) + 1000}`;
    const session = provider.open(WS);
    await session.run(`sleep ${marker}1 & setsid sleep ${marker}2 & nohup sleep ${marker}3 >/dev/null 2>&1 & (sleep ${marker}4 &) ; node -e "require('child_process').spawn('sleep',['${marker}5'],{detached:true,stdio:'ignore'}).unref()"`, opts());
    const deadline = Date.now() + 10_000;
    while (hostProcesses(`sleep ${marker}`).length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(hostProcesses(`sleep ${marker}`)).toHaveLength(5);
    await session.close();
    const gone = Date.now() + 10_000;
    while (hostProcesses(`sleep ${marker}`).length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    expect(hostProcesses(`sleep ${marker}`)).toEqual([]);
  });

  it('a stopped run ends the running command at once and every process of the session with it', async () => {
    const marker = `${6000 + Math.floor(Math.random() * 900)}.${Math.floor(Math.random() * 9000) + 1000}`;
    const session = provider.open(WS);
    const stop = new AbortController();
    const running = session.run(`sleep ${marker}1 & setsid sleep ${marker}2 & sleep ${marker}3`, { ...opts(), signal: stop.signal });
    await until(() => hostProcesses(`sleep ${marker}`).length === 3);
    stop.abort();
    expect((await running).aborted).toBe(true);
    await session.close();
    await until(() => hostProcesses(`sleep ${marker}`).length === 0);
  });

  it("one tenant's session cannot see or kill another's processes", async () => {
    const marker = `${5000 + Math.floor(Math.random() * 900)}.${Math.floor(Math.random() * 9000) + 1000}`;
    const other = provider.open(OTHER);
    const mine = provider.open(WS);
    try {
      await other.run(`sleep ${marker} &`, opts());
      const seen = await mine.run(`ps -e -o comm=; pkill -f ${marker}; pkill sleep; kill -9 -1; echo`, opts());
      expect(seen.output.split('\n')).not.toContain('sleep');
      expect(hostProcesses(`sleep ${marker}`)).toHaveLength(1);
    } finally {
      await other.close();
      await mine.close();
    }
  });
});

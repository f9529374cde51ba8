// One bubblewrap sandbox per agent session, started on the session's first command: bwrap runs a small command server
// (sandbox-server.mjs) as its only child, and every command of the session is a process group under that server, so
// a dev server started with `&` in one command is reachable with curl in the next. close() kills bwrap; its pid
// namespace dies with it, taking every process of the session along (detached or not).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RunResult } from '../tools/process-runner.js';
import { bwrapArgs, PROXY_PORT, PROXY_SOCKET, SERVER_PATH, type BwrapPlan } from './bwrap-args.js';
import { EgressProxy, type EgressOptions } from './egress-proxy.js';
import type { CommandOptions, CommandRunner } from './runner.js';
import type { SandboxLimits } from './settings.js';

export interface BwrapSessionOptions {
  plan: BwrapPlan;
  limits: SandboxLimits;
  /** A writable pids cgroup directory under which each session gets its own group (null: RLIMIT_NPROC only). */
  pidsCgroupRoot: string | null;
  nodePath: string;
  bwrap: string;
  /** ALLOWLIST network through an egress proxy; absent: no network at all. */
  network?: EgressOptions;
}

/** A line longer than this from the sandbox is not a reply of ours (output is capped well below it). */
const MAX_REPLY_CHARS = 64 * 1024 * 1024;
/** How long after a command's own deadline the worker stops waiting for the server and ends the sandbox. */
const DEADLINE_GRACE_MS = 10_000;

const failure = (output: string, extra: Partial<RunResult> = {}): RunResult => ({ exitCode: null, signal: null, output, truncated: false, timedOut: false, aborted: false, durationMs: 0, ...extra });

export class BwrapSession implements CommandRunner {
  readonly sandboxed = true;
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private cgroup: string | null = null;
  private proxy: { server: EgressProxy; dir: string } | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (result: RunResult) => void>();
  private closed = false;

  constructor(private readonly options: BwrapSessionOptions) {}

  async run(command: string, opts: CommandOptions): Promise<RunResult> {
    const result = await this.runOnce(command, opts);
    // The session's own processes used up its process limit (a fork bomb left running): nothing can start in it any
    // more, so it is replaced by a fresh sandbox (its background processes are gone) and the command runs there.
    if (result.exitCode === null && /^failed to start: .*EAGAIN/.test(result.output) && !this.closed && !opts.signal.aborted) {
      await this.restart();
      const retried = await this.runOnce(command, opts);
      return { ...retried, output: `[the session's sandbox had run out of processes and was restarted; background processes were ended]\n${retried.output}` };
    }
    return result;
  }

  /** Kills the sandbox and waits until it is gone, so the next command starts a fresh one. */
  private restart(): Promise<void> {
    const child = this.child;
    if (!child) return Promise.resolve();
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.stop();
    return gone;
  }

  private async runOnce(command: string, opts: CommandOptions): Promise<RunResult> {
    if (this.closed) return failure('The session sandbox was closed.\n');
    if (opts.signal.aborted) return failure('', { aborted: true });
    try {
      await this.start();
    } catch (error) {
      this.stop();
      this.ready = null;
      return failure(`The sandbox could not start: ${(error as Error).message}\n`);
    }
    const stdin = this.child?.stdin;
    if (!stdin?.writable) return failure('The session sandbox is not running.\n');
    const id = this.nextId++;
    return new Promise<RunResult>((resolve) => {
      const onAbort = () => stdin.writable && stdin.write(`${JSON.stringify({ type: 'kill', id })}\n`);
      // The server enforces the deadline; this one only covers a server that stopped answering.
      const guard = setTimeout(() => {
        this.pending.get(id)?.(failure('The sandbox stopped answering; it was ended.\n', { timedOut: true }));
        this.stop();
      }, opts.timeoutMs + DEADLINE_GRACE_MS);
      this.pending.set(id, (result) => {
        clearTimeout(guard);
        opts.signal.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        resolve(result);
      });
      opts.signal.addEventListener('abort', onAbort, { once: true });
      stdin.write(`${JSON.stringify({ type: 'run', id, command, cwd: this.options.plan.workspace, timeoutMs: opts.timeoutMs, maxOutputBytes: opts.maxOutputBytes })}\n`);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    if (this.proxy) {
      this.proxy.server.close();
      rmSync(this.proxy.dir, { recursive: true, force: true });
      this.proxy = null;
    }
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    this.ready = this.startProxy().then(() => this.spawnSandbox());
    return this.ready;
  }

  private async startProxy(): Promise<void> {
    if (!this.options.network || this.proxy) return;
    const dir = mkdtempSync(join(tmpdir(), 'shipyard-egress-'));
    const server = new EgressProxy(this.options.network);
    this.proxy = { server, dir };
    await server.listen(join(dir, 'proxy.sock'));
  }

  private spawnSandbox(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const { limits, nodePath } = this.options;
      const plan = { ...this.options.plan, proxySocketDir: this.proxy?.dir };
      const rlimits = [`--data=${limits.memoryBytes}`, `--fsize=${limits.fileBytes}`, '--core=0', '--nofile=4096'];
      let file = this.options.bwrap;
      let args = [...bwrapArgs(plan)];
      if (this.options.pidsCgroupRoot) {
        this.cgroup = join(this.options.pidsCgroupRoot, `session-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
        mkdirSync(this.cgroup);
        writeFileSync(join(this.cgroup, 'pids.max'), String(limits.processes));
        // The shell joins the cgroup before it becomes bwrap, so every process of the sandbox is counted.
        args = ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', this.cgroup, this.options.bwrap, ...args];
        file = '/bin/sh';
      } else {
        rlimits.push(`--nproc=${limits.processes}`);
      }
      args.push('--', '/usr/bin/prlimit', ...rlimits, '--', nodePath, SERVER_PATH, ...(this.proxy ? ['--proxy', PROXY_SOCKET, String(PROXY_PORT)] : []));
      const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
      this.child = child;
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        if (stderr.length < 4000) stderr += chunk;
      });
      child.stdin?.on('error', () => undefined);
      const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (line.length > MAX_REPLY_CHARS) return;
        let msg: { type?: string; id?: number; result?: RunResult };
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'done' && typeof msg.id === 'number' && msg.result) this.pending.get(msg.id)?.(msg.result);
      });
      child.on('error', (error) => reject(error));
      child.on('exit', (code, signal) => {
        reject(new Error(stderr.trim() || `bwrap exited (${signal ?? code})`));
        const why = this.closed ? 'The session sandbox was closed.' : `The session sandbox ended (${signal ?? `exit ${code}`}); the next command starts a fresh one.`;
        for (const settle of [...this.pending.values()]) settle(failure(`${why}\n`, { aborted: this.closed }));
        if (this.child === child) {
          this.child = null;
          this.ready = null;
        }
        this.removeCgroup();
      });
    });
  }

  private stop(): void {
    const child = this.child;
    if (!child) return;
    child.stdin?.end();
    child.kill('SIGKILL');
  }

  private removeCgroup(): void {
    if (!this.cgroup) return;
    const dir = this.cgroup;
    this.cgroup = null;
    // The cgroup empties a moment after bwrap's pid namespace is torn down.
    const attempt = (left: number) => {
      try {
        rmdirSync(dir);
      } catch {
        if (left > 0) setTimeout(() => attempt(left - 1), 100).unref();
      }
    };
    attempt(50);
  }
}

// Real child processes for tests: scripted workers and API servers, with readiness and clean-up.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node --import tsx <script>` and resolves once `ready(output)` holds (rejects if it exits first). */
export function startScript(script: string, env: Record<string, string>, ready: (out: string) => boolean, timeoutMs = 30_000, nodeArgs: string[] = []): Promise<Proc> {
  // node --import tsx (not the tsx CLI, which forks): the child's pid is the process that runs the script.
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: Proc = {
    child,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = setInterval(async () => {
      if (child.exitCode !== null) {
        clearInterval(check);
        clearTimeout(timer);
        return reject(new Error(`${script} exited (${child.exitCode}):\n${out}`));
      }
      if (ready(out)) {
        clearInterval(check);
        clearTimeout(timer);
        resolve(proc);
      }
    }, 50);
  });
}

export const startScriptedWorker = (env: Record<string, string>) =>
  startScript('tests/helpers/scripted-worker.ts', env, (out) => out.includes('WORKER_READY'));

/** The production worker entry (`npm run worker`), running the real agent loop. */
export const startWorkerProcess = (env: Record<string, string>) =>
  startScript('worker/index.ts', { LOG_LEVEL: 'info', SHIPYARD_METRICS_PORT: '0', ...env }, (out) => out.includes('worker ready'));

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** `nodeArgs` are node's own flags for the child (e.g. --cpu-prof, which NODE_OPTIONS does not accept). */
export async function startApiProcess(env: Record<string, string>, port: number, nodeArgs: string[] = []): Promise<Proc & { url: string }> {
  let healthy = false;
  const url = `http://127.0.0.1:${port}`;
  const poll = setInterval(() => {
    fetch(`${url}/health`).then((r) => (healthy = r.ok), () => {});
  }, 100);
  try {
    const proc = await startScript('src/server.ts', { SHIPYARD_MIGRATE_ON_START: 'false', ...env, PORT: String(port), HOST: '127.0.0.1' }, () => healthy, undefined, nodeArgs);
    return { ...proc, url };
  } finally {
    clearInterval(poll);
  }
}

/** PID of the worker process holding a run, from its workerId (`host-pid-xxxx`). */
export const pidOfWorkerId = (workerId: string) => Number(workerId.split('-').at(-2));

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function until<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads until `done(value)` holds; the timeout error shows the last value read. */
export async function untilValue<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

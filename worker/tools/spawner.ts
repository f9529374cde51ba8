// Client of worker/tools/spawner-child.mjs: every child process the runtime starts (agent commands, git) is spawned
// by that small helper process, so the worker's event loop never pays for forking a large process, and the helper
// kills everything it started if the worker dies.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SpawnRequest {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  /** Keep a process group that outlives its command (a server started with `&`) instead of killing it. */
  keepLeftovers?: boolean;
  /** Return stdout separately (for git), in addition to the combined output tail. */
  keepStdout?: boolean;
}

export interface SpawnResult {
  exitCode: number | null;
  signal: string | null;
  output: string;
  stdout: string;
  truncated: boolean;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** The process group left running (only with keepLeftovers). */
  leftover: number | null;
}

const CHILD_PATH = fileURLToPath(new URL('./spawner-child.mjs', import.meta.url));

let helper: ChildProcess | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (r: SpawnResult) => void; reject: (e: Error) => void }>();

function ensureHelper(): ChildProcess {
  if (helper?.connected) return helper;
  // No execArgv: the helper is plain JavaScript and must not inherit the worker's loaders or flags.
  const child = fork(CHILD_PATH, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  child.on('message', (msg: { type: string; id: number; result: SpawnResult }) => {
    if (msg.type !== 'done') return;
    const call = pending.get(msg.id);
    pending.delete(msg.id);
    if (pending.size === 0) unrefHelper(child);
    call?.resolve(msg.result);
  });
  child.on('exit', () => {
    if (helper === child) helper = null;
    for (const [id, call] of pending) {
      pending.delete(id);
      call.reject(new Error('The process spawner exited while a command was running.'));
    }
  });
  helper = child;
  unrefHelper(child);
  return child;
}

/** An idle helper must not keep the worker alive. */
function unrefHelper(child: ChildProcess) {
  child.unref();
  child.channel?.unref();
}

function refHelper(child: ChildProcess) {
  child.ref();
  child.channel?.ref();
}

export function spawnProcess(request: SpawnRequest): Promise<SpawnResult> {
  const child = ensureHelper();
  const id = nextId++;
  const { signal, ...rest } = request;
  return new Promise<SpawnResult>((resolve, reject) => {
    const onAbort = () => child.connected && child.send({ type: 'kill', id });
    pending.set(id, {
      resolve: (result) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      },
      reject: (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    });
    refHelper(child);
    child.send({ type: 'run', id, ...rest });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Stops the helper (and with it every process group it still tracks). */
export function stopSpawner(): void {
  helper?.disconnect();
  helper = null;
}

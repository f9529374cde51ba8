// Runs one shell command for an agent (through the spawner helper): cwd = workspace, its own process group, a
// timeout, an output cap, a scrubbed environment, and a group kill on abort or timeout. Groups that outlive their command (servers started with `&`)
// are remembered so the session can kill them when it ends.
import { spawnProcess } from './spawner.js';

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  output: string;
  truncated: boolean;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
}

export interface RunOptions {
  cwd: string;
  timeoutMs: number;
  maxOutputBytes: number;
  signal: AbortSignal;
  /** Process groups still alive after their command returned; killed by the owner at session end. */
  leftoverGroups?: Set<number>;
}

/** Variables that must never reach an agent's commands (they could print them). */
const SECRET_ENV = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|DATABASE_URL|REDIS|PGPASS|^ANTHROPIC_|^AWS_|^SHIPYARD_/i;

export function agentEnv(cwd: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!SECRET_ENV.test(key)) env[key] = value;
  env.PWD = cwd;
  env.CI = '1';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_PAGER = 'cat';
  env.PAGER = 'cat';
  delete env.NODE_OPTIONS;
  return env;
}

export function killGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export async function runShellCommand(command: string, opts: RunOptions): Promise<RunResult> {
  const result = await spawnProcess({
    file: '/bin/bash',
    args: ['--noprofile', '--norc', '-c', command],
    cwd: opts.cwd,
    env: agentEnv(opts.cwd),
    timeoutMs: opts.timeoutMs,
    maxOutputBytes: opts.maxOutputBytes,
    signal: opts.signal,
    keepLeftovers: !!opts.leftoverGroups,
  });
  if (result.leftover !== null) {
    // The run may have been stopped while the command returned: never keep its servers then.
    if (opts.signal.aborted || !opts.leftoverGroups) killGroup(result.leftover);
    else opts.leftoverGroups.add(result.leftover);
  }
  return result;
}

// The sandbox's settings, read once from the environment: whether commands run in bubblewrap (the default) or,
// only when SHIPYARD_SANDBOX=off is set explicitly, unsandboxed; and the resource limits of every session sandbox.
import { loadConfig, type Config } from '../../src/config/index.js';

export type NetworkMode = 'NONE' | 'ALLOWLIST';

export interface SandboxLimits {
  /** RLIMIT_DATA of every process (bytes): heap and private mappings. */
  memoryBytes: number;
  /** RLIMIT_FSIZE (bytes): the largest file a process may write. */
  fileBytes: number;
  /** Processes in one session sandbox (pids cgroup when writable, else RLIMIT_NPROC, which counts per real uid). */
  processes: number;
  /** Size of the private /tmp (tmpfs, counts against the host's memory). */
  tmpBytes: number;
}

export interface SandboxSettings {
  mode: 'bwrap' | 'off';
  limits: SandboxLimits;
}

const MB = 1024 * 1024;

export function sandboxSettings(sandbox: Config['sandbox']): SandboxSettings {
  return {
    mode: sandbox.mode,
    limits: { memoryBytes: sandbox.memoryMb * MB, fileBytes: sandbox.fileMb * MB, processes: sandbox.processes, tmpBytes: sandbox.tmpMb * MB },
  };
}

/** The settings a given environment would give (validated by the configuration module). */
export function readSandboxSettings(env: Record<string, string | undefined>): SandboxSettings {
  return sandboxSettings(loadConfig(env).sandbox);
}

// The sandbox's settings, from the configuration module (SHIPYARD_SANDBOX*): whether commands run in bubblewrap (the
// default) or, only when SHIPYARD_SANDBOX=off is set explicitly, unsandboxed; and the limits of every session sandbox.
import { config, loadConfig } from '../../src/config/index.js';

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

/** The process's settings, or those of the given variables (tests pass their own). */
export function readSandboxSettings(env?: Record<string, string | undefined>): SandboxSettings {
  const { sandbox } = env ? loadConfig(env) : config();
  return {
    mode: sandbox.mode,
    limits: { memoryBytes: sandbox.memoryMb * MB, fileBytes: sandbox.fileMb * MB, processes: sandbox.processes, tmpBytes: sandbox.tmpMb * MB },
  };
}

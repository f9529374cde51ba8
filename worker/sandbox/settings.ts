// The sandbox's settings, read once from the environment: whether commands run in bubblewrap (the default) or,
// only when SHIPYARD_SANDBOX=off is set explicitly, unsandboxed; and the resource limits of every session sandbox.
import { z } from 'zod';

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
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const schema = z.object({
  SHIPYARD_SANDBOX: z.enum(['bwrap', 'off']).default('bwrap'),
  SHIPYARD_SANDBOX_MEMORY_MB: positiveInt(2048),
  SHIPYARD_SANDBOX_FILE_MB: positiveInt(512),
  SHIPYARD_SANDBOX_PROCESSES: positiveInt(256),
  SHIPYARD_SANDBOX_TMP_MB: positiveInt(512),
});

export function readSandboxSettings(env: NodeJS.ProcessEnv = process.env): SandboxSettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid ${String(issue.path[0])}: ${issue.message} (SHIPYARD_SANDBOX is "bwrap" or "off"; the limits are positive integers).`);
  }
  const e = parsed.data;
  return {
    mode: e.SHIPYARD_SANDBOX,
    limits: { memoryBytes: e.SHIPYARD_SANDBOX_MEMORY_MB * MB, fileBytes: e.SHIPYARD_SANDBOX_FILE_MB * MB, processes: e.SHIPYARD_SANDBOX_PROCESSES, tmpBytes: e.SHIPYARD_SANDBOX_TMP_MB * MB },
  };
}

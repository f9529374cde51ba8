// Decides, once per worker process, how agents' commands run: in a bubblewrap session sandbox (default), unsandboxed
// (only with SHIPYARD_SANDBOX=off, said loudly), or not at all (bwrap missing or not working: agents are refused with
// the reason and the fix).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bwrapArgs, type BwrapPlan } from './bwrap-args.js';
import { BwrapSession } from './bwrap-session.js';
import type { EgressOptions } from './egress-proxy.js';
import type { CommandRunner } from './runner.js';
import { writeRuntimeFiles, type RuntimeFiles } from './runtime-files.js';
import { readSandboxSettings, type SandboxSettings } from './settings.js';
import { UnsandboxedRunner } from './unsandboxed.js';

export type SandboxAvailability = { kind: 'bwrap'; processLimit: 'cgroup' | 'rlimit' } | { kind: 'off' } | { kind: 'unavailable'; reason: string };

const SERVER_SCRIPT = fileURLToPath(new URL('./sandbox-server.mjs', import.meta.url));
const INSTALL_HINT = 'install bubblewrap (Debian/Ubuntu: apt-get install -y bubblewrap) and allow user namespaces (in a container: see the README, "Workers in containers"), or set SHIPYARD_SANDBOX=off to run agents\' commands unsandboxed on purpose';

export class SandboxProvider {
  private files: RuntimeFiles | null = null;
  private status: SandboxAvailability | null = null;
  private cgroupRoot: string | null = null;

  /** `bwrap` is the program to run (tests name a missing one to see the refusal). */
  constructor(readonly settings: SandboxSettings, private readonly bwrap = 'bwrap') {}

  availability(): SandboxAvailability {
    if (this.status) return this.status;
    if (this.settings.mode === 'off') return (this.status = { kind: 'off' });
    if (process.platform !== 'linux') return (this.status = { kind: 'unavailable', reason: `Agents' commands must run in a bubblewrap sandbox, which needs Linux (this is ${process.platform}); ${INSTALL_HINT}.` });
    const files = this.runtimeFiles();
    const probe = spawnSync(this.bwrap, [...bwrapArgs(this.plan(dirname(files.hosts))), '--', '/bin/sh', '-c', 'test "$(id -u)" = 65532'], { encoding: 'utf8', timeout: 10_000, env: {} });
    if (probe.error || probe.status !== 0) {
      const detail = probe.error ? (probe.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'bwrap is not installed' : probe.error.message : (probe.stderr.trim() || `exit ${probe.status}`);
      return (this.status = { kind: 'unavailable', reason: `Agents' commands must run in a bubblewrap sandbox, and it cannot start here (${detail}); ${INSTALL_HINT}.` });
    }
    this.cgroupRoot = findPidsCgroup();
    return (this.status = { kind: 'bwrap', processLimit: this.cgroupRoot ? 'cgroup' : 'rlimit' });
  }

  /** One runner per agent session. Throws with the reason when agents may not run here. */
  open(workspace: string, opts: { network?: EgressOptions } = {}): CommandRunner {
    const status = this.availability();
    if (status.kind === 'unavailable') throw new Error(status.reason);
    if (status.kind === 'off') return new UnsandboxedRunner(workspace);
    return new BwrapSession({ plan: this.plan(realpathSync(workspace)), limits: this.settings.limits, pidsCgroupRoot: this.cgroupRoot, nodePath: realpathSync(process.execPath), network: opts.network, bwrap: this.bwrap });
  }

  private plan(workspace: string): BwrapPlan {
    return { workspace, etcFiles: this.runtimeFiles(), serverScript: SERVER_SCRIPT, tmpBytes: this.settings.limits.tmpBytes };
  }

  private runtimeFiles(): RuntimeFiles {
    return (this.files ??= writeRuntimeFiles());
  }
}

/** A pids cgroup this process may create groups in (cgroup v1 pids hierarchy, or v2 with the pids controller). */
function findPidsCgroup(): string | null {
  const candidates = ['/sys/fs/cgroup/pids'];
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) candidates.push('/sys/fs/cgroup');
  for (const base of candidates) {
    const dir = join(base, 'shipyard-sandboxes');
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
      if (base === '/sys/fs/cgroup' && !existsSync(join(dir, 'pids.max'))) continue;
      return dir;
    } catch {
      /* not writable here */
    }
  }
  return null;
}

let shared: SandboxProvider | undefined;
/** One provider per process; tests build their own with typed settings instead. */
export const sandboxProvider = () => (shared ??= new SandboxProvider(readSandboxSettings()));

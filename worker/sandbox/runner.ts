// The contract between the tools and whatever runs an agent's shell commands: a session sandbox (bubblewrap) or,
// only when SHIPYARD_SANDBOX=off, plain process groups on the host.
import type { RunResult } from '../tools/process-runner.js';

export interface CommandOptions {
  timeoutMs: number;
  maxOutputBytes: number;
  signal: AbortSignal;
}

export interface CommandRunner {
  readonly sandboxed: boolean;
  /** Runs one bash command line in the workspace; processes it leaves in the background live until close(). */
  run(command: string, opts: CommandOptions): Promise<RunResult>;
  /** Ends every process the session started. Idempotent. */
  close(): Promise<void>;
}

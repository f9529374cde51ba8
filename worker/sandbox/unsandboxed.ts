// SHIPYARD_SANDBOX=off: commands run as plain process groups on the host, in the workspace, with a scrubbed
// environment. No isolation at all: only for machines where every agent is trusted.
import { killGroup, runShellCommand, type RunResult } from '../tools/process-runner.js';
import type { CommandOptions, CommandRunner } from './runner.js';

export class UnsandboxedRunner implements CommandRunner {
  readonly sandboxed = false;
  private readonly leftoverGroups = new Set<number>();

  constructor(private readonly workspace: string) {}

  run(command: string, opts: CommandOptions): Promise<RunResult> {
    return runShellCommand(command, { cwd: this.workspace, ...opts, leftoverGroups: this.leftoverGroups });
  }

  async close(): Promise<void> {
    for (const pgid of this.leftoverGroups) killGroup(pgid);
    this.leftoverGroups.clear();
  }
}

// Runs the real `shipyard` binary (cli/bin/shipyard.mjs) as a subprocess, optionally under a pseudo-terminal (script).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHIPYARD_BIN = `${root}cli/bin/shipyard.mjs`;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  result: Promise<CliResult>;
  stdout: () => string;
  /** Types into the CLI's stdin (with `input: true`). */
  write: (text: string) => void;
}

export function startCli(args: string[], env: Record<string, string>, opts: { tty?: boolean; input?: boolean } = {}): CliProcess {
  const stdin = opts.input ? 'pipe' : 'ignore';
  const command = opts.tty
    ? // script(1) gives the CLI a pseudo-terminal as stdout; -e passes its exit code through.
      spawn('script', ['-qec', [process.execPath, SHIPYARD_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), '/dev/null'], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: [stdin, 'pipe', 'pipe'],
      })
    : spawn(process.execPath, [SHIPYARD_BIN, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: [stdin, 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  command.stdout!.on('data', (d) => (stdout += d));
  command.stderr!.on('data', (d) => (stderr += d));
  const result = new Promise<CliResult>((resolve) => command.once('close', (code) => resolve({ code, stdout, stderr })));
  return { result, stdout: () => stdout, write: (text) => void command.stdin!.write(text) };
}

export const runCli = (args: string[], env: Record<string, string>, opts: { tty?: boolean } = {}) => startCli(args, env, opts).result;

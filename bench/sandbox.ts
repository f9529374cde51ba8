// Sandbox benchmark: the cost of starting one agent command in the bubblewrap session sandbox against the same
// command unsandboxed (a process group through the worker's spawner), measured in the same run, plus the cost of
// starting a session sandbox and of a one-shot bwrap per command (the design not taken). Goal: ≤ 10 ms added per
// command at p50. Knobs: BENCH_COMMANDS (300), BENCH_SESSIONS (20).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { bwrapArgs } from '../worker/sandbox/bwrap-args.js';
import { SandboxProvider } from '../worker/sandbox/provider.js';
import type { CommandRunner } from '../worker/sandbox/runner.js';
import { readSandboxSettings } from '../worker/sandbox/settings.js';
import { writeRuntimeFiles } from '../worker/sandbox/runtime-files.js';
import { UnsandboxedRunner } from '../worker/sandbox/unsandboxed.js';
import { stopSpawner } from '../worker/tools/spawner.js';
import { fileURLToPath } from 'node:url';

const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 300);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20);
const opts = () => ({ timeoutMs: 10_000, maxOutputBytes: 10_000, signal: new AbortController().signal });

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const row = (name: string, xs: number[]) => `${name.padEnd(44)} p50 ${quantile(xs, 0.5).toFixed(2).padStart(7)} ms   p95 ${quantile(xs, 0.95).toFixed(2).padStart(7)} ms`;

async function timeCommands(runner: CommandRunner, command: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const result = await runner.run(command, opts());
    times.push(performance.now() - t);
    if (result.exitCode !== 0) throw new Error(`${command} failed: ${result.output}`);
  }
  return times;
}

const provider = new SandboxProvider(readSandboxSettings());
const status = provider.availability();
if (status.kind !== 'bwrap') {
  console.error(`bench:sandbox needs bubblewrap: ${JSON.stringify(status)}`);
  process.exit(1);
}
const workspace = `/var/tmp/shipyard-bench-sandbox-${randomBytes(4).toString('hex')}`;
mkdirSync(workspace, { recursive: true });

try {
  const bare = new UnsandboxedRunner(workspace);
  const boxed = provider.open(workspace);
  await timeCommands(bare, 'true', 20); // warm-up: spawner, JIT, page cache
  await timeCommands(boxed, 'true', 20);
  // Interleaved rounds so both see the same machine load.
  const bareTimes: number[] = [];
  const boxedTimes: number[] = [];
  for (let round = 0; round < 10; round++) {
    bareTimes.push(...(await timeCommands(bare, 'true', COMMANDS / 10)));
    boxedTimes.push(...(await timeCommands(boxed, 'true', COMMANDS / 10)));
  }
  const bareNode = await timeCommands(bare, 'node -e 0', 30);
  const boxedNode = await timeCommands(boxed, 'node -e 0', 30);
  await bare.close();
  await boxed.close();

  const starts: number[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const session = provider.open(workspace);
    const t = performance.now();
    await session.run('true', opts());
    starts.push(performance.now() - t);
    await session.close();
  }

  // The design not taken: one bwrap per command (no background processes across commands, no shared loopback).
  const files = writeRuntimeFiles();
  const args = bwrapArgs({ workspace, etcFiles: files, serverScript: fileURLToPath(import.meta.url), tmpBytes: 64 * 1024 * 1024 });
  const oneShot: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    spawnSync('bwrap', [...args, '--', '/bin/bash', '--noprofile', '--norc', '-c', 'true'], { env: {} });
    oneShot.push(performance.now() - t);
  }

  console.log(`bench:sandbox — ${COMMANDS} commands each way, interleaved; process limit by ${status.processLimit}`);
  console.log(row('`true` unsandboxed (baseline)', bareTimes));
  console.log(row('`true` in the session sandbox', boxedTimes));
  console.log(row('`node -e 0` unsandboxed', bareNode));
  console.log(row('`node -e 0` in the session sandbox', boxedNode));
  console.log(row('session sandbox start + first command', starts));
  console.log(row('one-shot bwrap per command (not used)', oneShot));
  const added = quantile(boxedTimes, 0.5) - quantile(bareTimes, 0.5);
  console.log(`added per command at p50: ${added.toFixed(2)} ms (goal ≤ 10 ms): ${added <= 10 ? 'met' : 'NOT met'}; ratio ${(quantile(boxedTimes, 0.5) / quantile(bareTimes, 0.5)).toFixed(2)}x`);
} finally {
  stopSpawner();
  rmSync(workspace, { recursive: true, force: true });
}

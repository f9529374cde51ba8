// npm start — the API and one worker for local use. With DATABASE_URL: two child processes (like production).
// Without it (embedded PGlite, a single session): the worker runs inside the API process on the same one-connection pool.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { loadConfigOrExit } from '../src/config/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = loadConfigOrExit();

if (config.databaseUrl) {
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const children: ChildProcess[] = [
    spawn(tsx, ['src/server.ts'], { cwd: root, stdio: 'inherit' }),
    spawn(tsx, ['worker/index.ts'], { cwd: root, stdio: 'inherit' }),
  ];
  let exiting = false;
  let requested = false;
  const stopAll = (signal: NodeJS.Signals) => {
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  };
  for (const child of children) {
    child.on('exit', (code) => {
      // One of the pair died: stop the other, and exit with its code once both are gone.
      if (!exiting) {
        exiting = true;
        stopAll('SIGTERM');
      }
      if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(requested ? 0 : (code ?? 1));
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      exiting = true;
      requested = true;
      stopAll(signal); // a second signal is forwarded too, which makes the worker checkpoint at once
    });
  }
} else {
  const { startApi } = await import('../src/start-api.js');
  const { startWorker } = await import('../worker/start-worker.js');
  const { exitOnSignals } = await import('../worker/signals.js');
  const { runAgent } = await import('../worker/agent/run-agent.js');
  try {
    const api = await startApi({ config });
    const worker = await startWorker({ runAgent, concurrency: 1 });
    exitOnSignals(async (force) => {
      await worker.close({ force });
      await api.stop();
    });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

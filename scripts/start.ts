// npm start — the API and one worker for local use. With DATABASE_URL: two supervised child processes (like
// production); one dying stops the other and npm start exits non-zero naming it. Without it (embedded PGlite, a
// single session): the worker runs inside the API process on the same one-connection pool. With REDIS_URL unset and
// nothing on the default port, a private redis-server is started (scripts/start/local-redis.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childEnvironment, loadConfigOrExit } from '../src/config/index.js';
import { ensureLocalRedis, type LocalRedis } from './start/local-redis.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = loadConfigOrExit();

let redis: LocalRedis;
try {
  redis = await ensureLocalRedis(config);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
if (redis.message) console.log(redis.message);
const stopRedis = () => {
  if (redis.child && redis.child.exitCode === null) redis.child.kill('SIGTERM');
};
// The private redis-server stops with us, however we end.
process.on('exit', stopRedis);

if (config.databaseUrl) {
  const env = childEnvironment({ REDIS_URL: redis.url });
  const children = [
    { name: 'API', script: 'src/server.ts' },
    { name: 'worker', script: 'worker/index.ts' },
  ].map(({ name, script }) => ({ name, child: spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env, stdio: 'inherit' }) }));
  let requested = false;
  let failureCode: number | undefined;
  const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
  const stopAll = (signal: NodeJS.Signals) => {
    for (const { child } of children) if (running(child)) child.kill(signal);
  };
  for (const { name, child } of children) {
    child.on('exit', (code, signal) => {
      if (!requested && failureCode === undefined) {
        // Never 0: a child that ends on its own (even with 0) is a failure of the whole.
        failureCode = code ? code : 1;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        console.error(`npm start: the ${name} process ${how} unexpectedly; stopping the other process and exiting.`);
        stopAll('SIGTERM');
        setTimeout(() => stopAll('SIGKILL'), 30_000).unref();
      }
      if (children.every((c) => !running(c.child))) {
        const clean = children.every((c) => c.child.exitCode === 0 || c.child.signalCode !== null);
        process.exit(failureCode ?? (clean ? 0 : 1));
      }
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      requested = true;
      stopAll(signal); // a second signal is forwarded too, which makes the worker checkpoint at once
    });
  }
} else {
  const { startApi } = await import('../src/start-api.js');
  const { startWorker } = await import('../worker/start-worker.js');
  const { exitOnSignals } = await import('../worker/signals.js');
  const { agentRuntime } = await import('../worker/agent/runtime.js');
  try {
    const api = await startApi({ config: { ...config, redisUrl: redis.url } });
    const worker = await startWorker({ agentRuntime, concurrency: 1, redisUrl: redis.url, queueName: api.services.runQueue.name });
    exitOnSignals(async (force) => {
      await worker.close({ force });
      await api.stop();
    });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

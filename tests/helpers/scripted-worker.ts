// A worker PROCESS for tests: the real startWorker/processor/sink with a scripted AgentRuntime instead of the model loop.
// The script comes from the project's appSpec (JSON): { sessions, eventsPerSession, intervalMs, sleep }.
// With `sleep: true` each session runs a real child process (`sleep 60`) that only a stop (abort) ends; with
// `sleepArg: "4.123"` it runs `sleep 4.123`, which ends by itself (a unique argument lets a test find it with ps).
// Like the real runtime, it asks the run's lease before starting a command.
import { spawn } from 'node:child_process';
import { connectDb, disconnectDb } from '../../src/db/client.js';
import { dbRetryLimitMs } from '../../src/db/transient.js';
import { config } from '../../src/config/index.js';
import { startWorker } from '../../worker/start-worker.js';
import { exitOnSignals } from '../../worker/signals.js';
import type { AgentRuntime, RunOutcome } from '../../worker/agent/contract.js';

interface Script {
  sessions?: number;
  eventsPerSession?: number;
  intervalMs?: number;
  sleep?: boolean;
  sleepArg?: string;
}

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

const cancelled: RunOutcome = { status: 'CANCELLED', stopReason: 'stopped' };

export const scriptedRuntime: AgentRuntime = async ({ runId, db, events, signal, lease }) => {
  const run = await db.agentRun.findUniqueOrThrow({ where: { id: runId }, include: { project: { select: { appSpec: true } } } });
  const script = JSON.parse(run.project.appSpec || '{}') as Script;
  const sessions = run.maxSessions ?? script.sessions ?? 2;
  for (let n = run.sessionsCompleted + 1; n <= sessions; n++) {
    const fresh = await db.agentRun.findUniqueOrThrow({ where: { id: runId }, select: { stopRequested: true } });
    if (fresh.stopRequested || signal.aborted) return cancelled;
    events.emit({ type: 'TEXT', payload: { text: `session ${n} begins`, session: n } });
    for (let i = 0; i < (script.eventsPerSession ?? 5); i++) {
      await wait(script.intervalMs ?? 10, signal);
      if (signal.aborted) return cancelled;
      events.emit({ type: 'TEXT', payload: { text: `session ${n} event ${i}`, session: n } });
    }
    if (script.sleep || script.sleepArg) {
      const arg = script.sleepArg ?? '60';
      await events.flush(); // stored under the lease's epoch, or this copy lost the run
      lease?.assertHeld();
      const child = spawn('sleep', [arg], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const kill = () => child.kill('SIGKILL');
      signal.addEventListener('abort', kill, { once: true });
      events.emit({ type: 'TOOL_CALL', payload: { toolUseId: `sleep-${n}`, name: 'bash', input: { command: `sleep ${arg}`, pid: child.pid }, session: n } });
      await events.flush();
      await exited;
      signal.removeEventListener('abort', kill);
      events.emit({ type: 'TOOL_RESULT', payload: { toolUseId: `sleep-${n}`, name: 'bash', isError: signal.aborted, output: signal.aborted ? 'killed' : '' } });
      if (signal.aborted) return cancelled;
    }
    await db.agentSession.upsert({
      where: { runId_number: { runId, number: n } },
      create: { runId, number: n, kind: 'CODING', finishedAt: new Date(), stopReason: 'end_turn' },
      update: { finishedAt: new Date() },
    });
    await db.agentRun.update({ where: { id: runId }, data: { sessionsCompleted: n } });
  }
  return { status: 'SUCCEEDED', stopReason: 'all_features_passing' };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  connectDb(process.env.DATABASE_URL!, undefined, { retryUnreachableMs: dbRetryLimitMs() });
  const worker = await startWorker({
    agentRuntime: scriptedRuntime,
    concurrency: Number(process.env.WORKER_CONCURRENCY ?? 2),
    drainTimeoutMs: Number(process.env.SHIPYARD_DRAIN_TIMEOUT_MS ?? 25_000),
    reapIntervalMs: config().worker.reapIntervalMs,
  });
  exitOnSignals(async (force) => {
    await worker.close({ force });
    await disconnectDb();
  });
  process.stdout.write(`WORKER_READY ${worker.id}\n`);
}

// Steering runs through the real workers, SDK and scripted Messages API: pause mid-turn and resume on another worker
// from the checkpoint; messages from people reach the next model request (and continue a finished run); the budget
// parks a run until it is raised; a long rate limit parks a run and a timer job resumes it by itself.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunQueue, type RunQueue } from '../src/queue/run-queue.js';
import { startRun as startQueuedRun } from '../src/runs/start.js';
import { pauseRun, resumeRun, type PauseDeps } from '../src/runs/pause.js';
import { sendRunMessage } from '../src/runs/messages.js';
import { agentRuntime } from '../worker/agent/runtime.js';
import { reapOrphans } from '../src/runs/reap.js';
import { startWorker, type StartedWorker } from '../worker/start-worker.js';
import { untilValue as until } from './helpers/processes.js';
import { bash, say, toolResults, type RecordedRequest } from './helpers/scripted-anthropic.js';
import { continueRun, eventsOf, seedInitialized, seedProject, startRun, useRuntimeHarness } from './helpers/runtime-fixtures.js';
import { withEnv } from './helpers/process-settings.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const textOf = (request: RecordedRequest) => JSON.stringify(request.body.messages);

describe('run steering', () => {
  const h = useRuntimeHarness();
  let runQueue: RunQueue;
  let deps: PauseDeps;
  const workers: StartedWorker[] = [];
  const queueName = `verified-steering-${randomBytes(4).toString('hex')}`;
  const startWorkerNamed = async (workerId: string) => {
    const worker = await startWorker({ agentRuntime, queueName, db: h.db, workerId, concurrency: 1, reapIntervalMs: 60_000, drainTimeoutMs: 2_000 });
    workers.push(worker);
    return worker;
  };
  const runRow = (runId: string) => h.db.agentRun.findUniqueOrThrow({ where: { id: runId } });

  beforeAll(() => {
    runQueue = createRunQueue({ connection: h.redis, name: queueName });
    deps = { db: h.db, redis: h.redis, runQueue };
  });
  afterAll(async () => {
    for (const w of workers) await w.close({ force: true });
    await runQueue.close();
  });

  let sharedRun: { runId: string; projectId: string; userId: string } | undefined;

  it('pauses mid-turn (the tool call completes), holds no worker, and resumes on another worker from the checkpoint', async () => {
    const workerA = await startWorkerNamed('worker-A');
    const { project, user } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, ['Alpha']);
    const turn = gate();
    const before = h.model.requests.length;
    h.model.enqueue({ after: turn.promise, step: bash('echo first-turn-output', 'Working on it.') });
    const runId = await startQueuedRun(h.db, runQueue, { projectId: project.id, startedById: user.id, maxSessions: 1 });
    await until('the first model request', async () => h.model.requests.length, (n) => n > before);

    await pauseRun(deps, runId);
    expect(await runRow(runId)).toMatchObject({ status: 'RUNNING', pauseRequested: true });
    turn.open(); // the turn in flight finishes, its tool runs, then the run parks
    const paused = await until('PAUSED', () => runRow(runId), (r) => r.status === 'PAUSED');
    expect(paused).toMatchObject({ pausedReason: 'user', pauseRequested: false, workerId: null });
    // The job leaves the active set right after PAUSED is written (its processor returns).
    await until('the job to leave the active set', () => runQueue.queue.getActiveCount(), (n) => n === 0);
    const session = await h.db.agentSession.findFirstOrThrow({ where: { runId } });
    expect(session.finishedAt).toBeNull();
    expect(session.checkpoint).not.toBeNull();
    const pausedEvents = await eventsOf(h.db, runId);
    expect(pausedEvents.at(-1)).toMatchObject({ type: 'STATUS', payload: { status: 'PAUSED', reason: 'user' } });
    expect(pausedEvents.filter((e) => e.type === 'TOOL_RESULT').map((e) => (e.payload as { output: string }).output)).toEqual(['first-turn-output']);

    await workerA.close();
    await startWorkerNamed('worker-B');
    h.model.enqueue(say('Resumed; the feature is in progress.'));
    const requestsBeforeResume = h.model.requests.length;
    await resumeRun(deps, runId, 'test');
    const done = await until('the resumed run to finish', () => runRow(runId), (r) => r.status === 'STOPPED');
    expect(done.stopReason).toBe('max_sessions');

    // No lost work: the resumed request carries the paused turn's tool result; the tool ran once.
    expect(h.model.requests.length - requestsBeforeResume).toBe(1);
    const resumed = h.model.requests.at(-1)!;
    expect(toolResults(resumed).map((r) => r.content)).toEqual(['first-turn-output']);
    const events = await eventsOf(h.db, runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'TOOL_CALL')).toHaveLength(1);
    const statuses = events.filter((e) => e.type === 'STATUS').map((e) => e.payload as { status: string; message?: string });
    expect(statuses.some((s) => /worker-B/.test(s.message ?? ''))).toBe(true);
    expect(statuses.some((s) => /resumed from its checkpoint/.test(s.message ?? ''))).toBe(true);
    const sessions = await h.db.agentSession.findMany({ where: { runId } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ turns: 2, stopReason: 'end_turn', checkpoint: null });
    sharedRun = { runId, projectId: project.id, userId: user.id };
  });

  it('a message to a finished run starts its continuation (a new run with the same settings) with the message', async () => {
    const { runId, userId } = sharedRun!;
    await h.db.user.update({ where: { id: userId }, data: { name: 'Grace' } });
    h.model.enqueue(say('Adding the README you asked for.'));
    const before = h.model.requests.length;
    const messageId = await sendRunMessage(deps, runId, { id: userId, name: 'Grace' }, 'Please add a README before you stop.');
    const message = await h.db.runMessage.findUniqueOrThrow({ where: { id: messageId } });
    expect(message.runId).not.toBe(runId);
    const old = await runRow(runId);
    const continuation = await until('the continuation to finish', () => runRow(message.runId), (r) => r.status === 'STOPPED' && h.model.requests.length > before);
    expect(continuation).toMatchObject({ projectId: old.projectId, maxSessions: old.maxSessions, startedById: userId, stopReason: 'max_sessions' });
    expect(old.status).toBe('STOPPED'); // the finished run stays as it was
    const request = h.model.requests.at(-1)!;
    expect(request.body.messages).toHaveLength(1);
    expect(textOf(request)).toMatch(/Session 1: continue the project[\s\S]*Message from Grace[\s\S]*Please add a README before you stop/);
    const events = await eventsOf(h.db, message.runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.find((e) => e.type === 'USER_MESSAGE')?.payload).toEqual({ text: 'Please add a README before you stop.', authorId: userId, authorName: 'Grace', session: 1 });
  });

  it('a message to a running agent reaches its next model request', async () => {
    const { project, user } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, ['Alpha']);
    const turn = gate();
    const before = h.model.requests.length;
    h.model.enqueue({ after: turn.promise, step: bash('echo listening') }, say('Noted.'));
    const run = await h.db.agentRun.create({ data: { projectId: project.id, status: 'RUNNING', maxSessions: 1 } });
    const outcome = continueRun(h, run.id, project.id);
    await until('the first model request', async () => h.model.requests.length, (n) => n > before);
    await sendRunMessage(deps, run.id, { id: user.id, name: user.name }, 'Use tabs, not spaces.');
    turn.open();
    expect(await outcome).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });

    const [first, second] = h.model.requests.slice(before);
    expect(textOf(first)).not.toMatch(/tabs/);
    const last = second.body.messages.at(-1)!.content as Array<{ type: string; text?: string; content?: string }>;
    expect(last.map((b) => b.type)).toEqual(['tool_result', 'text']);
    expect(last[1].text).toMatch(new RegExp(`Message from ${user.name} [\\s\\S]*Use tabs, not spaces\\.`));
    const message = await h.db.runMessage.findFirstOrThrow({ where: { runId: run.id } });
    expect(message.deliveredAt).not.toBeNull();
    const events = await eventsOf(h.db, run.id);
    const userMessage = events.find((e) => e.type === 'USER_MESSAGE')!;
    expect(userMessage.payload).toEqual({ text: 'Use tabs, not spaces.', authorId: user.id, authorName: user.name, session: 1 });
    // Delivered after the tool result of the turn in flight, before the next model turn's events.
    const toolResult = events.find((e) => e.type === 'TOOL_RESULT')!;
    expect(userMessage.seq).toBeGreaterThan(toolResult.seq);
  });

  it('the budget parks a run (PAUSED, budget); raising it and resuming continues from the checkpoint', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, ['Alpha']);
    const costly = { input_tokens: 1_000_000, output_tokens: 0 }; // $3 at the test model's $3/MTok input
    h.model.enqueue({ ...bash('echo step-one'), usage: costly }, { ...bash('echo step-two'), usage: costly });
    const { runId, outcome } = await startRun(h, project.id, { budgetUsd: 5, maxSessions: 1 });
    expect(outcome).toEqual({ status: 'PAUSED', stopReason: 'budget', detail: "the run's budget" });
    expect(h.model.remaining()).toBe(0);

    // Resuming without more budget parks again at once, without a model call.
    const before = h.model.requests.length;
    expect(await continueRun(h, runId, project.id)).toEqual({ status: 'PAUSED', stopReason: 'budget', detail: "the run's budget" });
    expect(h.model.requests.length).toBe(before);

    await h.db.agentRun.update({ where: { id: runId }, data: { budgetUsd: 20 } });
    h.model.enqueue(say('Finished within the new budget.'));
    expect(await continueRun(h, runId, project.id)).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });
    const resumed = h.model.requests.at(-1)!;
    expect(textOf(resumed)).toMatch(/step-one[\s\S]*step-two/);
    const session = await h.db.agentSession.findFirstOrThrow({ where: { runId } });
    expect(session).toMatchObject({ turns: 3, stopReason: 'end_turn' });
  });

  it('a 429 whose retry-after exceeds the wait budget parks the run, and a timer job resumes it by itself', async () => {
    await withEnv({ SHIPYARD_RATE_LIMIT_MAX_WAIT_MS: '200' }, async () => {
      const { project, user } = await seedProject(h);
      await seedInitialized(h, project.workspacePath, project.id, ['Alpha']);
      const before = h.model.requests.length;
      h.model.enqueue(
        bash('echo before-the-limit'),
        { error: { status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit', retryAfter: 1 } },
        say('Back after the rate limit.'),
      );
      const runId = await startQueuedRun(h.db, runQueue, { projectId: project.id, startedById: user.id, maxSessions: 1 });
      const parked = await until('the rate-limit park', () => runRow(runId), (r) => r.status === 'PAUSED' || r.status === 'STOPPED');
      expect(parked).toMatchObject({ status: 'PAUSED', pausedReason: 'rate_limited' });
      expect(parked.resumeAt!.getTime()).toBeGreaterThan(Date.now() - 5_000);
      expect(h.model.requests.length - before).toBe(2); // the 429 was not retried in place

      const done = await until('the automatic resume', () => runRow(runId), (r) => r.status === 'STOPPED');
      expect(done.stopReason).toBe('max_sessions');
      expect(h.model.requests.length - before).toBe(3);
      expect(toolResults(h.model.requests.at(-1)!).map((r) => r.content)).toEqual(['before-the-limit']);
      const events = await eventsOf(h.db, runId);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const pausedStatus = events.find((e) => e.type === 'STATUS' && (e.payload as { status: string }).status === 'PAUSED')!;
      expect(pausedStatus.payload).toMatchObject({ reason: 'rate_limited', resumeAt: parked.resumeAt!.toISOString() });
    });
  });

  it('the reaper resumes a rate-limited run whose timer job was lost', async () => {
    const { project, user } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, ['Alpha']);
    const run = await h.db.agentRun.create({
      data: { projectId: project.id, startedById: user.id, status: 'PAUSED', pausedReason: 'rate_limited', resumeAt: new Date(Date.now() - 60_000), maxSessions: 1 },
    });
    h.model.enqueue(say('Back to work.'));
    const reaped = await reapOrphans({ db: h.db, redis: h.redis, runQueue });
    expect(reaped.requeued).toContain(run.id);
    const done = await until('the resumed run to finish', () => runRow(run.id), (r) => r.status === 'STOPPED');
    expect(done).toMatchObject({ stopReason: 'max_sessions', pausedReason: null, resumeAt: null });
  });
});

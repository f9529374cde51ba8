// The run spine end to end: real API, Postgres, Redis and worker processes running a scripted agent.
import { beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import WebSocket from 'ws';
import { errorCodes, gql, gqlOk, signUp, type Settings } from './helpers/api.js';
import { addMember, createProject as createProjectAs, startAgentRun } from './helpers/foundation.js';
import { rawId, toGlobalId } from './helpers/global-id.js';
import { freePort, isAlive, pidOfWorkerId, startApiProcess, until } from './helpers/processes.js';
import { range } from './helpers/range.js';
import { useStack } from './helpers/stack.js';
import { subscribeSse, subscribeWs } from './helpers/subscriptions.js';
import {
  AgentRunEventLogDocument,
  AgentRunEventRecordsDocument as EVENTS,
  AgentRunOutcomeDocument as RUN,
  ProjectEventSeqsDocument,
  ProjectEventsDocument,
  ProjectRunsByStatusDocument,
  RemoveProjectMemberDocument,
  StartAgentRunDocument as START,
  StopAgentRunDocument as STOP,
  ViewerIdDocument,
} from './generated/graphql.js';
import { getDb } from '../src/db/client.js';

// Fast stall detection so the SIGKILL test takes seconds.
const workerSettings: Settings = { WORKER_CONCURRENCY: '2', SHIPYARD_DRAIN_TIMEOUT_MS: '500', SHIPYARD_LOCK_DURATION_MS: '4000', SHIPYARD_STALLED_INTERVAL_MS: '1000' };
const stack = useStack({ workers: { kind: 'scripted', count: 2, settings: () => workerSettings } });
let stranger: { token: string };
beforeAll(async () => {
  stranger = await signUp(stack.api, 'stranger');
});

const runEvents = async (id: string) => (await gqlOk(stack.api, AgentRunEventLogDocument, { id }, stack.owner.token)).agentRun!.events as Array<{ seq: number; type: string; payload: any }>;

async function createProject(script: object): Promise<string> {
  return (await createProjectAs(stack.api, stack.owner, 'Spine', JSON.stringify(script))).id;
}

const startRun = (projectId: string, extra: { maxSessions?: number } = {}) => startAgentRun(stack.api, stack.owner, projectId, extra);

const runRow = (globalId: string) => getDb().agentRun.findUniqueOrThrow({ where: { id: rawId(globalId) } });
const seqsOf = (results: Array<{ data?: any }>) => results.map((r) => r.data?.agentRunEvents?.seq);

/** A three-session run, once its first session has finished: its row then, and the worker process holding it. */
async function runPastFirstSession() {
  const projectId = await createProject({ sessions: 3, eventsPerSession: 20, intervalMs: 40 });
  const runId = await startRun(projectId);
  const row = await until(async () => {
    const r = await runRow(runId);
    return r.sessionsCompleted >= 1 && r.workerId ? r : null;
  }, 20_000, 'the first session');
  const victim = stack.workers.find((w) => w.child.pid === pidOfWorkerId(row.workerId!))!;
  return { runId, row, victim };
}

/** A /ws/:projectId client: its run events (of this run, in arrival order) and how its socket closed. */
function projectSocket(url: string, projectId: string, token: string, firstMessage?: object) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/${projectId}`, { headers: { authorization: `Bearer ${token}` } });
  const messages: any[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    messages.push(message);
    if (message.type === 'ready' && firstMessage) ws.send(JSON.stringify(firstMessage));
  });
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  return { ws, closed, events: () => messages.filter((m) => typeof m.seq === 'number') };
}

describe('run spine', () => {
  it('streams a run identically over SSE and graphql-ws; a subscriber joining mid-run with afterSeq gets the exact tail', async () => {
    const projectId = await createProject({ sessions: 2, eventsPerSession: 15, intervalMs: 25 });
    const runId = await startRun(projectId);
    const sse = subscribeSse(stack.api.url, stack.owner.token, EVENTS, { runId });
    const ws = subscribeWs(stack.api.url, stack.owner.token, EVENTS, { runId });
    await until(() => sse.results.length >= 10, 15_000, '10 events');
    const late = subscribeSse(stack.api.url, stack.owner.token, EVENTS, { runId, afterSeq: 7 });
    await Promise.all([sse.done, ws.done, late.done]);

    const run = { ...(await gqlOk(stack.api, RUN, { id: runId }, stack.owner.token)).agentRun, events: await runEvents(runId) };
    expect(run).toMatchObject({ status: 'SUCCEEDED', stopReason: 'all_features_passing', sessionsCompleted: 2, sessions: [{ number: 1 }, { number: 2 }] });
    expect(run.usage).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUsd: 0 });
    const total = run.events.length;
    expect(run.events.map((e: any) => e.seq)).toEqual(range(1, total));
    expect(run.events[0]).toMatchObject({ type: 'STATUS', payload: { status: 'RUNNING' } });
    expect(run.events.at(-1)).toMatchObject({ type: 'COMPLETE', payload: { status: 'SUCCEEDED' } });

    expect(sse.results.every((r) => !r.errors)).toBe(true);
    expect(seqsOf(sse.results)).toEqual(range(1, total));
    expect(ws.results).toEqual(sse.results);
    expect(late.results).toEqual(sse.results.slice(7));
    expect(sse.results[0]!.data!.agentRunEvents.runId).toBe(runId);

    const listed = await gqlOk(
      stack.api,
      ProjectRunsByStatusDocument,
      { id: projectId },
      stack.owner.token,
    );
    expect(listed.project!.done.edges).toEqual([{ node: { id: runId, status: 'SUCCEEDED' } }]);
    expect(listed.project!.active.edges).toEqual([]);

    // Finished: a new subscriber gets the replay and completion; afterSeq at the end completes at once.
    const replay = subscribeSse(stack.api.url, stack.owner.token, EVENTS, { runId, afterSeq: total - 2 });
    await replay.done;
    expect(seqsOf(replay.results)).toEqual([total - 1, total]);
  });

  it('allows one active run per project (CONFLICT), stops a running run within a second and kills its child process', async () => {
    const projectId = await createProject({ sessions: 1, eventsPerSession: 1, sleep: true });
    const attempts = await Promise.all([1, 2, 3].map(() => gql(stack.api, START, { input: { projectId } }, stack.owner.token)));
    expect(attempts.filter((r) => !r.errors).length).toBe(1);
    expect(attempts.flatMap(errorCodes).sort()).toEqual(['CONFLICT', 'CONFLICT']);
    const runId = attempts.find((r) => !r.errors)!.data!.startAgentRun.id;

    const pid = await until(async () => {
      const run = { events: await runEvents(runId) };
      return run.events.find((e: any) => e.type === 'TOOL_CALL')?.payload.input.pid as number | undefined;
    }, 15_000, 'the sleep child');
    expect(isAlive(pid)).toBe(true);

    expect(errorCodes(await gql(stack.api, STOP, { id: runId }, stranger.token))).toEqual(['FORBIDDEN']);
    const began = performance.now();
    const stopped = (await gqlOk(stack.api, STOP, { id: runId }, stack.owner.token)).stopAgentRun;
    const elapsed = performance.now() - began;
    expect(stopped).toMatchObject({ status: 'CANCELLED' });
    expect(elapsed).toBeLessThan(3000); // the 1 s goal is measured precisely by bench/stop.ts
    await until(() => !isAlive(pid), 2000, 'the child to be gone');

    const run = { events: await runEvents(runId) };
    expect(run.events.at(-1)).toMatchObject({ type: 'COMPLETE', payload: { status: 'CANCELLED' } });
    expect(run.events.map((e: any) => e.seq)).toEqual(range(1, run.events.length));
    const again = await gql(stack.api, STOP, { id: runId }, stack.owner.token);
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    expect(again.errors![0]!.message).toMatch(/already finished \(CANCELLED\)/);
    // The project is free again.
    const next = await startRun(projectId, { maxSessions: 1 });
    await gqlOk(stack.api, STOP, { id: next }, stack.owner.token);
  });

  it('stopping a queued run removes its job', async () => {
    const queue = new Queue(stack.api.queueName, { connection: stack.api.services.redis });
    await queue.pause();
    try {
      const projectId = await createProject({ sessions: 1 });
      const runId = await startRun(projectId);
      const row = await runRow(runId);
      expect(await queue.getJobState(row.id)).toBe('waiting');
      const stopped = (await gqlOk(stack.api, STOP, { id: runId }, stack.owner.token)).stopAgentRun;
      expect(stopped.status).toBe('CANCELLED');
      expect(await queue.getJobState(row.id)).toBe('unknown');
      const run = { events: await runEvents(runId) };
      expect(run.events.map((e: any) => [e.seq, e.type, e.payload.status])).toEqual([
        [1, 'STATUS', 'CANCELLED'],
        [2, 'COMPLETE', 'CANCELLED'],
      ]);
    } finally {
      await queue.resume();
      await queue.close();
    }
  });

  it('refuses subscriptions of non-members (FORBIDDEN) and unknown runs (NOT_FOUND)', async () => {
    const projectId = await createProject({ sessions: 1, eventsPerSession: 2 });
    const runId = await startRun(projectId);
    const sse = subscribeSse(stack.api.url, stranger.token, EVENTS, { runId });
    const ws = subscribeWs(stack.api.url, stranger.token, EVENTS, { runId });
    const project = subscribeWs(stack.api.url, stranger.token, ProjectEventSeqsDocument, { projectId });
    await Promise.all([sse.done, ws.done, project.done]);
    for (const sub of [sse, ws, project]) {
      expect(sub.results.flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code))).toEqual(['FORBIDDEN']);
      expect(sub.results.some((r) => r.data)).toBe(false);
    }
    const unknownRun = toGlobalId('AgentRun', `${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`);
    const missing = subscribeSse(stack.api.url, stack.owner.token, EVENTS, { runId: unknownRun });
    await missing.done;
    expect(missing.results.flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code))).toEqual(['NOT_FOUND']);
    await until(async () => ['SUCCEEDED'].includes((await runRow(runId)).status), 15_000, 'the run to finish');
  });

  it('re-checks membership per event: a member removed mid-stream gets FORBIDDEN and no later events', async () => {
    const projectId = await createProject({ sessions: 1, eventsPerSession: 60, intervalMs: 50 });
    const viewer = await signUp(stack.api, 'viewer');
    const viewerId = (await gqlOk(stack.api, ViewerIdDocument, {}, viewer.token)).viewer!.id;
    const email = viewer.email;
    await addMember(stack.api, stack.owner, projectId, viewer, 'VIEWER');
    const runId = await startRun(projectId);
    const sub = subscribeSse(stack.api.url, viewer.token, EVENTS, { runId });
    await until(() => sub.results.length >= 3, 15_000, 'the viewer to see events');
    await gqlOk(stack.api, RemoveProjectMemberDocument, { input: { projectId, userId: viewerId } }, stack.owner.token);
    const removedAt = Date.now();
    await sub.done;
    const last = sub.results.at(-1)!;
    expect(last.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(Date.now() - removedAt).toBeLessThan(5000); // within the ~1 s membership cache, not at the end of the run
    const seen = sub.results.filter((r) => r.data).length;
    expect(seen).toBeLessThan((await runEvents(runId)).length);
    await gqlOk(stack.api, STOP, { id: runId }, stack.owner.token);
  });

  it('projectEvents delivers the live events of every run of the project', async () => {
    const projectId = await createProject({ sessions: 1, eventsPerSession: 3 });
    const sub = subscribeWs(stack.api.url, stack.owner.token, ProjectEventsDocument, { projectId });
    await new Promise((r) => setTimeout(r, 300)); // live only: let the subscription reach Redis
    const runId = await startRun(projectId);
    await until(() => sub.results.some((r) => r.data?.projectEvents.type === 'COMPLETE'), 15_000, 'COMPLETE');
    sub.stop();
    const seqs = sub.results.map((r) => r.data!.projectEvents.seq);
    expect(seqs).toEqual(range(1, seqs.length));
    expect(sub.results.every((r) => r.data!.projectEvents.runId === runId)).toBe(true);
  });

  it('a worker SIGKILLed mid-run: another worker finishes the run from its last finished session, seqs contiguous', async () => {
    const { runId, row, victim } = await runPastFirstSession();
    expect(victim).toBeDefined();
    victim.child.kill('SIGKILL');
    await victim.exited;
    stack.workers.splice(stack.workers.indexOf(victim), 1);
    const replacement = stack.startWorker('scripted', workerSettings); // keep two alive for the next tests

    const final = await until(async () => {
      const r = await runRow(runId);
      return r.status === 'SUCCEEDED' ? r : null;
    }, 30_000, 'the run to finish on the other worker');
    await replacement;
    expect(final.workerId).not.toBe(row.workerId);
    const events = await getDb().agentRunEvent.findMany({ where: { runId: final.id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.seq)).toEqual(range(1, events.length));
    const texts = events.filter((e) => e.type === 'TEXT').map((e) => (e.payload as { text: string }).text);
    expect(texts.filter((t) => t === 'session 1 begins')).toHaveLength(1); // session 1 finished before the kill: not redone
    expect(texts.filter((t) => t === 'session 3 begins')).toHaveLength(1);
    expect(events.some((e) => e.type === 'STATUS' && (e.payload as { status: string }).status === 'INTERRUPTED')).toBe(true);
    expect(await getDb().agentSession.count({ where: { runId: final.id } })).toBe(3);
  });

  it('SIGTERM drains: the run checkpoints (INTERRUPTED) and resumes on another worker; the worker exits cleanly', async () => {
    const { runId, row, victim } = await runPastFirstSession();
    const code = await victim.stop('SIGTERM');
    expect(code).toBe(0);
    stack.workers.splice(stack.workers.indexOf(victim), 1);
    const replacement = stack.startWorker('scripted', workerSettings);
    const final = await until(async () => {
      const r = await runRow(runId);
      return r.status === 'SUCCEEDED' ? r : null;
    }, 30_000, 'the run to finish');
    await replacement;
    const events = await getDb().agentRunEvent.findMany({ where: { runId: final.id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.seq)).toEqual(range(1, events.length));
    const statusEvents = events.filter((e) => e.type === 'STATUS').map((e) => ({ seq: e.seq, at: e.createdAt, ...(e.payload as object) }));
    const statuses = statusEvents.map((e) => (e as { status?: string }).status);
    // Rare failure seen once (stop 7): the message keeps the whole STATUS trail for whoever sees it next.
    expect(statuses, JSON.stringify(statusEvents)).toEqual(['RUNNING', 'INTERRUPTED', 'RUNNING', 'SUCCEEDED']);
  });

  it('an API process restarted mid-stream: the client resubscribes with its last seq and misses nothing', async () => {
    const port = await freePort();
    const env = stack.api.instanceEnv;
    let server = await startApiProcess(env, port);
    try {
      const projectId = await createProject({ sessions: 2, eventsPerSession: 40, intervalMs: 25 });
      const runId = await startRun(projectId);
      const first = subscribeSse(server.url, stack.owner.token, EVENTS, { runId });
      await until(() => first.results.length >= 5, 15_000, '5 events');
      await server.stop('SIGKILL');
      await first.done;
      const seen = first.results.filter((r) => r.data).map((r) => r.data!.agentRunEvents);
      const lastSeq = seen.at(-1)!.seq;
      server = await startApiProcess(env, port);
      const second = subscribeSse(server.url, stack.owner.token, EVENTS, { runId, afterSeq: lastSeq });
      await second.done;
      const all = [...seen, ...second.results.map((r) => r.data!.agentRunEvents)];
      const stored = await runEvents(runId);
      expect(stored.at(-1)!.type).toBe('COMPLETE');
      expect(lastSeq).toBeLessThan(stored.length);
      expect(all.map((e) => e.seq)).toEqual(range(1, stored.length));
      expect(all.map((e) => e.payload)).toEqual(stored.map((e) => e.payload));
    } finally {
      await server.stop('SIGKILL');
    }
  }, 60_000);

  it('SIGTERM stops an API process cleanly with SSE, graphql-ws and /ws/:projectId clients: sockets close with 1001, exit 0, resubscribing elsewhere gives the exact tail', async () => {
    const server = await startApiProcess({ ...stack.api.instanceEnv, LOG_LEVEL: 'info' }, await freePort());
    const projectId = await createProject({ sessions: 1, eventsPerSession: 120, intervalMs: 25 });
    const runId = await startRun(projectId);
    try {
      const sse = subscribeSse(server.url, stack.owner.token, EVENTS, { runId });
      const ws = subscribeWs(server.url, stack.owner.token, EVENTS, { runId });
      const project = projectSocket(server.url, projectId, stack.owner.token);
      await until(() => sse.results.length >= 3 && ws.results.length >= 3 && project.events().length >= 3, 15_000, 'first events on all three transports');
      const began = Date.now();
      const code = await server.stop('SIGTERM');
      const elapsed = Date.now() - began;
      const steps = server.output().split('\n').find((line) => line.includes('API stopped')) ?? '';
      console.log(`[spine] API SIGTERM with SSE, graphql-ws and /ws clients: exit ${code} after ${elapsed} ms; ${steps.replace(/.*?"webSockets"/, '"webSockets"')}`);
      expect(code, server.output()).toBe(0);
      expect(elapsed).toBeLessThan(5000); // was 10 s (forced exit, code 1) with a WebSocket client open
      await Promise.all([sse.done, ws.done]);
      expect(ws.closed).toMatchObject({ code: 1001 });
      expect(await project.closed).toMatchObject({ code: 1001 }); // was 1006: the socket was cut
      // The project socket's client resumes the run after its last seq on another API process: the exact tail.
      const seen = project.events();
      const resumed = projectSocket(stack.api.url, projectId, stack.owner.token, { type: 'resume', runId, afterSeq: seen.at(-1)!.seq });
      await until(() => resumed.events().some((e) => e.type === 'complete'), 30_000, 'the resumed run to complete');
      resumed.ws.close();
      const all = [...seen, ...resumed.events()];
      const stored = await runEvents(runId);
      // It joined after the run started: from its first event on, every event exactly once.
      const from = seen[0].seq;
      expect(all.map((e) => e.seq)).toEqual(range(from, stored.length));
      expect(all.map((e) => e.data)).toEqual(stored.slice(from - 1).map((e) => e.payload));
      // Each client resubscribes with its last seq on another API process and sees every event exactly once.
      for (const first of [sse, ws]) {
        const seen = first.results.filter((r) => r.data).map((r) => r.data!.agentRunEvents);
        const rest = subscribeWs(stack.api.url, stack.owner.token, EVENTS, { runId, afterSeq: seen.at(-1)!.seq });
        await rest.done;
        const all = [...seen, ...rest.results.map((r) => r.data!.agentRunEvents)];
        const stored = await runEvents(runId);
        expect(stored.at(-1)!.type).toBe('COMPLETE');
        expect(all.map((e) => e.seq)).toEqual(range(1, stored.length));
        expect(all.map((e) => e.payload)).toEqual(stored.map((e) => e.payload));
      }
    } finally {
      await server.stop('SIGKILL');
      await gql(stack.api, STOP, { id: runId }, stack.owner.token);
    }
  }, 60_000);

  it('start-up reaping: a run left RUNNING with no live job is marked INTERRUPTED, re-enqueued and finished', async () => {
    const projectId = await createProject({ sessions: 2, eventsPerSession: 2 });
    const dbProjectId = rawId(projectId);
    const orphan = await getDb().agentRun.create({
      data: { projectId: dbProjectId, status: 'RUNNING', startedAt: new Date(), sessionsCompleted: 1, workerId: 'dead-1-beef' },
    });
    await getDb().agentRunEvent.create({ data: { runId: orphan.id, seq: 1, type: 'STATUS', payload: { status: 'RUNNING' } } });
    const extra = await stack.startWorker('scripted', workerSettings); // reaps at start-up
    try {
      const final = await until(async () => {
        const r = await getDb().agentRun.findUniqueOrThrow({ where: { id: orphan.id } });
        return r.status === 'SUCCEEDED' ? r : null;
      }, 20_000, 'the reaped run to finish');
      expect(final.sessionsCompleted).toBe(2);
      const events = await getDb().agentRunEvent.findMany({ where: { runId: orphan.id }, orderBy: { seq: 'asc' } });
      expect(events.map((e) => e.seq)).toEqual(range(1, events.length));
      expect(events[1]).toMatchObject({ type: 'STATUS', payload: { status: 'INTERRUPTED' } });
      const texts = events.filter((e) => e.type === 'TEXT').map((e) => (e.payload as { text: string }).text);
      expect(texts[0]).toBe('session 2 begins'); // resumed after its last finished session
    } finally {
      await extra.stop('SIGKILL');
    }
  });
});

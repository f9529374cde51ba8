// The run spine under faults: a worker SIGKILLed or drained mid-run, an API process restarted or stopped mid-stream,
// and start-up reaping, with real API, Postgres, Redis and scripted worker processes.
import { describe, expect, it } from 'vitest';
import { gql } from './helpers/api.js';
import { rawId } from './helpers/global-id.js';
import { freePort, startApiProcess, until } from './helpers/processes.js';
import { range } from './helpers/range.js';
import { projectSocket, spineWorkerSettings, useSpine } from './helpers/spine.js';
import { subscribeSse, subscribeWs } from './helpers/subscriptions.js';
import { AgentRunEventRecordsDocument as EVENTS, StopAgentRunDocument as STOP } from './generated/graphql.js';
import { getDb } from '../src/db/client.js';

const { stack, runEvents, createProject, startRun, runRow, runPastFirstSession } = useSpine();

describe('run spine under faults', () => {
  it('a worker SIGKILLed mid-run: another worker finishes the run from its last finished session, seqs contiguous', async () => {
    const { runId, row, victim } = await runPastFirstSession();
    expect(victim).toBeDefined();
    victim.child.kill('SIGKILL');
    await victim.exited;
    stack.workers.splice(stack.workers.indexOf(victim), 1);
    const replacement = stack.startWorker('scripted', spineWorkerSettings); // keep two alive for the next tests

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
    const replacement = stack.startWorker('scripted', spineWorkerSettings);
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
    const extra = await stack.startWorker('scripted', spineWorkerSettings); // reaps at start-up
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

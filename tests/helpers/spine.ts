// The run spine's world, shared by tests/run-spine.test.ts and tests/run-spine-faults.test.ts: the API, two scripted
// worker processes with fast stall detection (so a SIGKILL test takes seconds) and the owner, plus the steps both use.
import WebSocket from 'ws';
import { gqlOk, type Settings } from './api.js';
import { createProject, startAgentRun } from './foundation.js';
import { rawId } from './global-id.js';
import { pidOfWorkerId, until } from './processes.js';
import { useStack, type Stack } from './stack.js';
import { AgentRunEventLogDocument } from '../generated/graphql.js';
import { getDb } from '../../src/db/client.js';

export const spineWorkerSettings: Settings = { WORKER_CONCURRENCY: '2', SHIPYARD_DRAIN_TIMEOUT_MS: '500', SHIPYARD_LOCK_DURATION_MS: '4000', SHIPYARD_STALLED_INTERVAL_MS: '1000' };

export function useSpine() {
  const stack = useStack({ workers: { kind: 'scripted', count: 2, settings: () => spineWorkerSettings } });
  return { stack, ...spineSteps(stack) };
}

function spineSteps(stack: Stack) {
  const runEvents = async (id: string) =>
    (await gqlOk(stack.api, AgentRunEventLogDocument, { id }, stack.owner.token)).agentRun!.events as Array<{ seq: number; type: string; payload: any }>;
  /** A project whose appSpec scripts the scripted agent; returns its global id. */
  const createSpineProject = async (script: object) => (await createProject(stack.api, stack.owner, 'Spine', JSON.stringify(script))).id;
  const startRun = (projectId: string, extra: { maxSessions?: number } = {}) => startAgentRun(stack.api, stack.owner, projectId, extra);
  const runRow = (globalId: string) => getDb().agentRun.findUniqueOrThrow({ where: { id: rawId(globalId) } });

  /** A three-session run, once its first session has finished: its row then, and the worker process holding it. */
  async function runPastFirstSession() {
    const projectId = await createSpineProject({ sessions: 3, eventsPerSession: 20, intervalMs: 40 });
    const runId = await startRun(projectId);
    const row = await until(async () => {
      const r = await runRow(runId);
      return r.sessionsCompleted >= 1 && r.workerId ? r : null;
    }, 20_000, 'the first session');
    const victim = stack.workers.find((w) => w.child.pid === pidOfWorkerId(row.workerId!))!;
    return { runId, row, victim };
  }
  return { runEvents, createProject: createSpineProject, startRun, runRow, runPastFirstSession };
}

export const seqsOf = (results: Array<{ data?: any }>) => results.map((r) => r.data?.agentRunEvents?.seq);

/** A /ws/:projectId client: its run events (of this run, in arrival order) and how its socket closed. */
export function projectSocket(url: string, projectId: string, token: string, firstMessage?: object) {
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

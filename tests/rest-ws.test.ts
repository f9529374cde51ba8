// GET /ws/:projectId: the seed's per-project WebSocket — authentication by header or first message, the project's live
// events as { type, runId, seq, data }, resuming a run after a seq exactly once, and the close codes of refusals.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type { User } from './helpers/foundation.js';
import { rawId, toGlobalId } from './helpers/global-id.js';
import { emitLines, startLiveRun } from './helpers/live-run.js';
import { useProjectTeam } from './helpers/team.js';
import { until } from './helpers/processes.js';

const ctx = useProjectTeam('Sockets');

interface Socket {
  ws: WebSocket;
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  waitFor(predicate: (messages: any[]) => boolean, what: string): Promise<any[]>;
}

function connect(path: string, headers: Record<string, string> = {}): Socket {
  const ws = new WebSocket(`${ctx.api.url.replace('http', 'ws')}${path}`, { headers });
  const messages: any[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return { ws, messages, closed, waitFor: (predicate, what) => until(() => predicate(messages) && messages, 15_000, what) };
}

describe('project WebSocket /ws/:projectId', () => {
  it('authenticates by header and carries the live events of every run of the project', async () => {
    const socket = connect(`/ws/${ctx.projectId}`, { authorization: `Bearer ${ctx.viewer.token}` });
    await socket.waitFor((m) => m.some((x) => x.type === 'ready'), 'ready');
    const a = await startLiveRun(ctx.api, ctx.projectId);
    const b = await startLiveRun(ctx.api, ctx.projectId);
    a.sink.emit({ type: 'STATUS', payload: { status: 'RUNNING' } });
    await emitLines(a.sink, 1, 2);
    await emitLines(b.sink, 1, 1);
    const events = (await socket.waitFor((m) => m.filter((x) => x.seq).length >= 4, 'four events')).filter((x) => x.seq);
    const runA = toGlobalId('AgentRun', a.runId);
    expect(events.filter((e) => e.runId === runA)).toEqual([
      { type: 'status', runId: runA, seq: 1, data: { status: 'RUNNING' }, createdAt: expect.any(String) },
      { type: 'text', runId: runA, seq: 2, data: { text: 'line 1' }, createdAt: expect.any(String) },
      { type: 'text', runId: runA, seq: 3, data: { text: 'line 2' }, createdAt: expect.any(String) },
    ]);
    expect(events.filter((e) => e.runId !== runA).map((e) => [e.type, e.seq])).toEqual([['text', 1]]);
    socket.ws.close();
    await Promise.all([a.sink.close(), b.sink.close()]);
  });

  it('authenticates by a first auth message (raw UUID path) and resumes a run after a seq exactly once', async () => {
    const { runId, sink } = await startLiveRun(ctx.api, ctx.projectId);
    await emitLines(sink, 1, 5);
    const socket = connect(`/ws/${rawId(ctx.projectId)}`);
    socket.ws.on('open', () => socket.ws.send(JSON.stringify({ type: 'auth', token: ctx.owner.token })));
    await socket.waitFor((m) => m.some((x) => x.type === 'ready'), 'ready');
    socket.ws.send(JSON.stringify({ type: 'resume', runId, afterSeq: 2 }));
    await socket.waitFor((m) => m.filter((x) => x.seq).length >= 3, 'the replay');
    await emitLines(sink, 6, 7);
    sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED' } });
    await sink.close();
    const events = (await socket.waitFor((m) => m.some((x) => x.type === 'complete'), 'complete')).filter((x) => x.seq);
    expect(events.map((e) => e.seq)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(events.at(-1)).toMatchObject({ type: 'complete', data: { status: 'SUCCEEDED' } });

    socket.ws.send('not json');
    await socket.waitFor((m) => m.some((x) => x.type === 'error'), 'an error message');
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
    socket.ws.close();
  });

  it('closes with 4401 without a valid token, 4403 for a stranger, 4404 for an unknown project, 4400 for a malformed id', async () => {
    const badToken = connect(`/ws/${ctx.projectId}`);
    badToken.ws.on('open', () => badToken.ws.send(JSON.stringify({ type: 'auth', token: 'shy_ses_wrong' })));
    expect((await badToken.closed).code).toBe(4401);
    const notAuth = connect(`/ws/${ctx.projectId}`);
    notAuth.ws.on('open', () => notAuth.ws.send(JSON.stringify({ type: 'resume', runId: 'x', afterSeq: 0 })));
    expect((await notAuth.closed).code).toBe(4401);
    expect((await connect(`/ws/${ctx.projectId}`, { authorization: `Bearer ${ctx.stranger.token}` }).closed).code).toBe(4403);
    expect((await connect(`/ws/00000000-0000-4000-8000-000000000000`, { authorization: `Bearer ${ctx.viewer.token}` }).closed).code).toBe(4404);
    expect((await connect(`/ws/nope`, { authorization: `Bearer ${ctx.viewer.token}` }).closed).code).toBe(4400);
  });
});

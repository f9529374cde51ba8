// GET /ws/:projectId: the seed's per-project WebSocket — authentication by header or first message, the project's live
// events as { type, runId, seq, data }, resuming a run after a seq exactly once, and the close codes of refusals.
import { encodeGlobalID } from '@pothos/plugin-relay';
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUp } from './helpers/api.js';
import { addMember, useApiWithOwner, type User } from './helpers/foundation.js';
import { rawId } from './helpers/global-id.js';
import { rest } from './helpers/rest.js';
import { until } from './helpers/processes.js';
import { createRunEventSink, type RunEventSink } from '../src/events/sink.js';
import { getDb } from '../src/db/client.js';

const ctx = useApiWithOwner();
let viewer: User;
let stranger: User;
let projectId: string;

beforeAll(async () => {
  viewer = await signUp(ctx.api, 'viewer');
  stranger = await signUp(ctx.api, 'stranger');
  projectId = (await rest(ctx.api, 'POST', '/api/projects', { token: ctx.owner.token, body: { name: 'Sockets' } })).body.id;
  await addMember(ctx.api, ctx.owner, projectId, viewer, 'VIEWER');
});

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

async function newRun(): Promise<{ runId: string; sink: RunEventSink }> {
  const run = await getDb().agentRun.create({ data: { projectId: rawId(projectId), status: 'RUNNING' } });
  return { runId: run.id, sink: await createRunEventSink({ db: getDb(), redis: ctx.api.services.redis, runId: run.id, projectId: run.projectId }) };
}

const texts = (sink: RunEventSink, from: number, to: number) => {
  for (let n = from; n <= to; n++) sink.emit({ type: 'TEXT', payload: { text: `line ${n}` } });
  return sink.flush();
};

describe('project WebSocket /ws/:projectId', () => {
  it('authenticates by header and carries the live events of every run of the project', async () => {
    const socket = connect(`/ws/${projectId}`, { authorization: `Bearer ${viewer.token}` });
    await socket.waitFor((m) => m.some((x) => x.type === 'ready'), 'ready');
    const a = await newRun();
    const b = await newRun();
    a.sink.emit({ type: 'STATUS', payload: { status: 'RUNNING' } });
    await texts(a.sink, 1, 2);
    await texts(b.sink, 1, 1);
    const events = (await socket.waitFor((m) => m.filter((x) => x.seq).length >= 4, 'four events')).filter((x) => x.seq);
    const runA = encodeGlobalID('AgentRun', a.runId);
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
    const { runId, sink } = await newRun();
    await texts(sink, 1, 5);
    const socket = connect(`/ws/${rawId(projectId)}`);
    socket.ws.on('open', () => socket.ws.send(JSON.stringify({ type: 'auth', token: ctx.owner.token })));
    await socket.waitFor((m) => m.some((x) => x.type === 'ready'), 'ready');
    socket.ws.send(JSON.stringify({ type: 'resume', runId, afterSeq: 2 }));
    await socket.waitFor((m) => m.filter((x) => x.seq).length >= 3, 'the replay');
    await texts(sink, 6, 7);
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
    const badToken = connect(`/ws/${projectId}`);
    badToken.ws.on('open', () => badToken.ws.send(JSON.stringify({ type: 'auth', token: 'shy_ses_wrong' })));
    expect((await badToken.closed).code).toBe(4401);
    const notAuth = connect(`/ws/${projectId}`);
    notAuth.ws.on('open', () => notAuth.ws.send(JSON.stringify({ type: 'resume', runId: 'x', afterSeq: 0 })));
    expect((await notAuth.closed).code).toBe(4401);
    expect((await connect(`/ws/${projectId}`, { authorization: `Bearer ${stranger.token}` }).closed).code).toBe(4403);
    expect((await connect(`/ws/00000000-0000-4000-8000-000000000000`, { authorization: `Bearer ${viewer.token}` }).closed).code).toBe(4404);
    expect((await connect(`/ws/nope`, { authorization: `Bearer ${viewer.token}` }).closed).code).toBe(4400);
  });
});

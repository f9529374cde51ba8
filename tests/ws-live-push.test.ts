// graphql-ws subscriptions on the live push path (src/transport/ws-frames.ts): several subscriptions on one socket get
// their own "next" messages, exactly once and in order, as graphql-ws frames them; once the client completes one, no
// message for it follows, while the other goes on to the end.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk, signUp, startTestApi, type TestApi } from './helpers/api.js';
import { until } from './helpers/processes.js';
import { getDb } from '../src/db/client.js';
import { createRunEventSink, type RunEventSink } from '../src/events/sink.js';

process.env.SHIPYARD_QUEUE = `shipyard-test-ws-push-${randomBytes(4).toString('hex')}`;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
}, 60_000);
afterAll(async () => {
  await api?.close();
});

const EVENTS = `subscription($runId: ID!) { agentRunEvents(runId: $runId) { seq type payload } }`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function emitText(sink: RunEventSink, count: number) {
  for (let i = 0; i < count; i++) sink.emit({ type: 'TEXT', payload: { text: `line ${sink.lastSeq + 1}` } });
  await sink.flush();
}

/** A bare graphql-transport-ws client that keeps every message it receives, as received. */
async function connect(url: string, token: string) {
  const messages: Array<{ id?: string; type: string; payload?: any; raw: string }> = [];
  const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  socket.on('message', (raw) => messages.push({ ...JSON.parse(raw.toString()), raw: raw.toString() }));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await until(() => messages.some((m) => m.type === 'connection_ack'), 5000, 'connection_ack');
  const send = (message: object) => socket.send(JSON.stringify(message));
  const of = (id: string) => messages.filter((m) => m.id === id);
  const seqs = (id: string) => of(id).filter((m) => m.type === 'next').map((m) => m.payload.data.agentRunEvents.seq);
  return { socket, messages, send, of, seqs };
}

describe('graphql-ws live push', () => {
  it('keeps subscriptions on one socket apart, in order, and stops pushing to one the client completed', async () => {
    const owner = await signUp(api, 'ws-push');
    const projectGlobalId = (await gqlOk(api, `mutation { createProject(input: { name: "WS push" }) { id } }`, {}, owner.token)).createProject.id;
    const projectId = Buffer.from(projectGlobalId, 'base64').toString().split(':')[1]!;
    const run = await getDb().agentRun.create({ data: { projectId, status: 'RUNNING', startedAt: new Date() } });
    const runId = Buffer.from(`AgentRun:${run.id}`).toString('base64');
    const sink = await createRunEventSink({ db: getDb(), redis: api.services.redis, runId: run.id, projectId });
    await emitText(sink, 2); // replayed

    const client = await connect(api.url, owner.token);
    try {
      client.send({ id: 'a', type: 'subscribe', payload: { query: EVENTS, variables: { runId } } });
      client.send({ id: 'b', type: 'subscribe', payload: { query: EVENTS, variables: { runId } } });
      await until(() => client.seqs('a').length === 2 && client.seqs('b').length === 2, 5000, 'the replay');
      const pushedBefore = api.livePushed.ws;
      for (let i = 0; i < 3; i++) await emitText(sink, 3);
      await until(() => client.seqs('a').length === 11 && client.seqs('b').length === 11, 5000, 'the live events');
      expect(api.livePushed.ws - pushedBefore).toBeGreaterThanOrEqual(18); // live events reached both by push

      client.send({ id: 'a', type: 'complete' });
      await new Promise((r) => setTimeout(r, 100));
      await emitText(sink, 4);
      sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: null } });
      await sink.close();
      await until(() => client.of('b').some((m) => m.type === 'complete'), 5000, "b's completion");

      expect(client.seqs('a')).toEqual(range(1, 11));
      expect(client.of('a').map((m) => m.type)).toEqual(Array(11).fill('next'));
      expect(client.seqs('b')).toEqual(range(1, 16));
      expect(client.of('b').map((m) => m.type)).toEqual([...Array(16).fill('next'), 'complete']);
      // Byte for byte the message graphql-ws itself would send.
      const sixth = { data: { agentRunEvents: { seq: 6, type: 'TEXT', payload: { text: 'line 6' } } } };
      expect(client.of('b')[5]!.raw).toBe(stringifyMessage({ id: 'b', type: MessageType.Next, payload: sixth }));
    } finally {
      client.socket.close();
    }
  }, 30_000);
});

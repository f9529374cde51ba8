// graphql-ws subscriptions on the live push path (src/transport/ws-frames.ts): several subscriptions on one socket get
// their own "next" messages, exactly once and in order, as graphql-ws frames them; once the client completes one, no
// message for it follows, while the other goes on to the end.
import WebSocket from 'ws';
import { print } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { createProject } from './helpers/foundation.js';
import { emitText, startLiveRun } from './helpers/live-run.js';
import { until } from './helpers/processes.js';
import { range } from './helpers/range.js';
import { useStack } from './helpers/stack.js';
import { AgentRunEventsDocument } from './generated/graphql.js';

const stack = useStack({ owner: 'ws-push' });
const EVENTS = print(AgentRunEventsDocument);

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
    const { api, owner } = stack;
    const project = await createProject(api, owner, 'WS push');
    const { globalId: runId, sink } = await startLiveRun(api, project.id);
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

// shipyard/client's followRun across dropped connections: the API process is killed mid-run and started again on
// the same port; the iterator resubscribes after its last seq and yields the exact tail, each seq once, over
// graphql-ws and over SSE.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { gqlOk, signUp } from './helpers/api.js';
import { createProject, startAgentRun } from './helpers/foundation.js';
import { rawId } from './helpers/global-id.js';
import { freePort, startApiProcess, until } from './helpers/processes.js';
import { useStack } from './helpers/stack.js';
import { StopAgentRunDocument } from './generated/graphql.js';
import { getDb } from '../src/db/client.js';
import { createShipyardClient, followRun, FollowRunError, type RunEvent, type Transport } from '../client/src/index.js';

const stack = useStack({ owner: 'follow', workers: { kind: 'scripted' } });

async function startRun(script: object): Promise<string> {
  const project = await createProject(stack.api, stack.owner, 'Follow', JSON.stringify(script));
  return startAgentRun(stack.api, stack.owner, project.id);
}

const storedEvents = (runId: string) => getDb().agentRunEvent.findMany({ where: { runId: rawId(runId) }, orderBy: { seq: 'asc' } });

describe('followRun', () => {
  for (const transport of ['ws', 'sse'] satisfies Transport[]) {
    it(`over ${transport}: an API restart mid-run costs nothing: exact tail, no duplicate`, async () => {
      const port = await freePort();
      const env = stack.api.instanceEnv;
      let server = await startApiProcess(env, port);
      const client = createShipyardClient({ url: `${server.url}/graphql`, token: stack.owner.token, transport, webSocketImpl: WebSocket });
      try {
        const runId = await startRun({ sessions: 2, eventsPerSession: 40, intervalMs: 20 });
        const seen: RunEvent[] = [];
        const reconnects: number[] = [];
        let restarted: Promise<void> | undefined;
        for await (const event of followRun(client, runId, { retryDelayMs: 100, maxRetryDelayMs: 1000, onReconnect: ({ afterSeq }) => reconnects.push(afterSeq) })) {
          seen.push(event);
          if (seen.length === 10) {
            await server.stop('SIGKILL');
            restarted = startApiProcess(env, port).then((s) => void (server = s));
          }
        }
        await restarted;
        const stored = await storedEvents(runId);
        expect(stored.at(-1)!.type).toBe('COMPLETE');
        expect(reconnects.length).toBeGreaterThan(0);
        // Events the socket had delivered before the kill are still yielded; the resubscription starts after them.
        expect(reconnects[0]).toBeGreaterThanOrEqual(10);
        expect(reconnects[0]).toBeLessThan(stored.length);
        expect(seen.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
        expect(seen.map((e) => e.payload)).toEqual(stored.map((e) => e.payload));
        expect(seen.at(-1)!.data).toMatchObject({ __typename: 'CompleteEvent', status: 'SUCCEEDED' });
      } finally {
        await server.stop('SIGKILL');
      }
    }, 120_000); // two API process starts, slow on a loaded machine
  }

  it('resumes after afterSeq, stops on abort, and fails at once on an answer retrying cannot change', async () => {
    const client = createShipyardClient({ url: `${stack.api.url}/graphql`, token: stack.owner.token, webSocketImpl: WebSocket });
    const runId = await startRun({ sessions: 1, eventsPerSession: 500, intervalMs: 20 });
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const event of followRun(client, runId, { afterSeq: 3, signal: controller.signal })) {
      seen.push(event.seq);
      if (seen.length === 5) controller.abort();
    }
    expect(seen).toEqual([4, 5, 6, 7, 8]);

    const stranger = createShipyardClient({ url: `${stack.api.url}/graphql`, token: (await signUp(stack.api, 'stranger')).token, transport: 'sse' });
    const denied = (async () => {
      for await (const _ of followRun(stranger, runId)) throw new Error('a stranger saw an event');
    })();
    await expect(denied).rejects.toBeInstanceOf(FollowRunError);
    await expect(denied).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await gqlOk(stack.api, StopAgentRunDocument, { id: runId }, stack.owner.token);
    await until(async () => (await storedEvents(runId)).at(-1)?.type === 'COMPLETE', 15_000, 'the stopped run to complete');
  }, 60_000);
});

// The client story: an urql client with codegen's typed documents, queries over HTTP and a live run over graphql-ws.
import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { pipe, subscribe } from 'wonka';
import { describe, expect, it } from 'vitest';
import { useStack } from './helpers/stack.js';
import { AgentRunEventsDocument, CreateProjectDocument, StartAgentRunDocument, type AgentRunEventsSubscription } from './generated/graphql.js';

const stack = useStack({ owner: 'urql', workers: { kind: 'scripted' } });

function urqlClient(url: string, bearer: string) {
  const ws = createWsClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${bearer}` } });
  const client = new Client({
    url: `${url}/graphql`,
    fetchOptions: { headers: { authorization: `Bearer ${bearer}` } },
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, close: () => ws.dispose() };
}

describe('urql client', () => {
  it('creates a project, starts a run and follows its events to the end with typed documents', async () => {
    const { client, close } = urqlClient(stack.api.url, stack.owner.token);
    try {
      const created = await client.mutation(CreateProjectDocument, { input: { name: 'Urql', appSpec: JSON.stringify({ sessions: 1, eventsPerSession: 4, intervalMs: 5 }) } }).toPromise();
      expect(created.error).toBeUndefined();
      const projectId = created.data!.createProject.id;
      const started = await client.mutation(StartAgentRunDocument, { input: { projectId } }).toPromise();
      expect(started.data!.startAgentRun.status).toBe('QUEUED');

      const events: AgentRunEventsSubscription['agentRunEvents'][] = [];
      await new Promise<void>((resolve, reject) => {
        const { unsubscribe } = pipe(
          client.subscription(AgentRunEventsDocument, { runId: started.data!.startAgentRun.id }),
          subscribe((result) => {
            if (result.error) return reject(result.error);
            events.push(result.data!.agentRunEvents);
            if (result.data!.agentRunEvents.type === 'COMPLETE') {
              unsubscribe();
              resolve();
            }
          }),
        );
      });
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.at(-1)).toMatchObject({ type: 'COMPLETE', payload: { status: 'SUCCEEDED' } });
      expect(events.filter((e) => e.type === 'TEXT').length).toBeGreaterThanOrEqual(4);

      const denied = await urqlClient(stack.api.url, 'not-a-token').client.mutation(CreateProjectDocument, { input: { name: 'x' } }).toPromise();
      expect(denied.error?.graphQLErrors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      close();
    }
  }, 60_000);
});

// Subscriptions do not depend on the transport's optimisations: with the shared-execution plugin, the SSE framing
// plugin, the live push, or all of them missing, agentRunEvents still delivers every event exactly once, in order,
// one result per event (the stream's batches are flattened for any executor that does not read them).
import { print } from 'graphql';
import { createYoga, type YogaServerOptions } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { signUp } from './helpers/api.js';
import { createProjectRow, createRunRow } from './helpers/run-fixtures.js';
import { rawId, toGlobalId } from './helpers/global-id.js';
import { range } from './helpers/range.js';
import { AgentRunEventTypesDocument } from './generated/graphql.js';
import { schema } from '../src/schema/index.js';
import { contextFor, type Context } from '../src/request-context.js';
import { createRunEventSink } from '../src/events/sink.js';
import { useSharedSubscriptionExecution } from '../src/transport/shared-execution.js';
import { useSseSubscriptionFrames } from '../src/transport/sse-frames.js';
import { LivePush, newLivePushCounts } from '../src/transport/live-push.js';
import type { ServerContext } from '../src/transport/server-context.js';
import { useTestApi } from './helpers/stack.js';

const api = useTestApi();

const EVENTS = print(AgentRunEventTypesDocument);

/** A Yoga serving the schema with only these plugins; `live`: whether requests carry a live push. */
function bareYoga(plugins: NonNullable<YogaServerOptions<ServerContext, Context>['plugins']>, live: boolean) {
  const yoga = createYoga<ServerContext, Context>({
    schema,
    plugins,
    context: async ({ request, livePush }) => ({ ...(await contextFor(request.headers.get('authorization'), api.services)), live: livePush }),
  });
  const counts = newLivePushCounts();
  return { yoga, serverContext: () => (live ? { livePush: new LivePush(counts) } : {}) };
}

const VARIANTS: Array<[string, () => ReturnType<typeof bareYoga>]> = [
  ['no plugin, no live push', () => bareYoga([], false)],
  ['no plugin, a live push nobody attaches to', () => bareYoga([], true)],
  ['shared execution without SSE framing', () => bareYoga([useSharedSubscriptionExecution<Context>({ viewerKey: (ctx) => ctx.user?.id ?? '' })], true)],
  ['SSE framing without shared execution', () => bareYoga([useSseSubscriptionFrames()], true)],
];

describe('subscriptions without the transport plugins', () => {
  it.each(VARIANTS)('%s: every event once, in order, one result each', async (_name, make) => {
    const { yoga, serverContext } = make();
    const owner = await signUp(api, 'fallback');
    const { project } = await createProjectRow(api.services.db, { userId: rawId(owner.userId) });
    const run = await createRunRow(api.services.db, project.id, { status: 'RUNNING', startedAt: new Date() });
    const sink = await createRunEventSink({ db: api.services.db, redis: api.services.redis, runId: run.id, projectId: project.id });
    for (let i = 0; i < 3; i++) sink.emit({ type: 'TEXT', payload: { text: `before ${i}` } });
    await sink.flush(); // replayed

    const response = await yoga.fetch(
      'http://test.internal/graphql',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${owner.token}` },
        body: JSON.stringify({ query: EVENTS, variables: { runId: toGlobalId('AgentRun', run.id) } }),
      },
      serverContext(),
    );
    const body = response.text();
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 4; i++) sink.emit({ type: 'TEXT', payload: { text: `live ${i}` } });
    sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: null } });
    await sink.close();

    const results = (await body)
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice('data: '.length)));
    expect(results.every((r) => !r.errors && r.data?.agentRunEvents)).toBe(true);
    expect(results.map((r) => r.data.agentRunEvents.seq)).toEqual(range(1, 8));
    expect(results.at(-1).data.agentRunEvents.type).toBe('COMPLETE');
  });
});

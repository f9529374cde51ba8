// Typed events: AgentRunEvent.data gives each event type its own GraphQL object type, generated from the zod payload
// schemas the worker validates with, so what the worker wrote comes back field for field and typed.
import { describe, expect, it } from 'vitest';
import { buildClientSchema, getIntrospectionQuery, isObjectType, isUnionType, type IntrospectionQuery } from 'graphql';
import { gql, gqlOk } from './helpers/api.js';
import { createProject, useApiWithOwner } from './helpers/foundation.js';
import { rawId, toGlobalId } from './helpers/global-id.js';
import { AgentRunEventDataDocument, AgentRunTypedEventsDocument } from './generated/graphql.js';
import { getDb } from '../src/db/client.js';
import { createRunEventSink } from '../src/events/sink.js';
import { EVENT_TYPES, payloadSchemas, type NewEvent } from '../src/events/types.js';
import { eventTypeName } from '../src/schema/event-data.js';

const ctx = useApiWithOwner();

const oneOfEach: NewEvent[] = [
  { type: 'STATUS', payload: { status: 'RUNNING', session: 1 } },
  { type: 'TEXT', payload: { text: 'Reading the spec', session: 1 } },
  { type: 'TOOL_CALL', payload: { toolUseId: 't1', name: 'bash', input: { command: 'ls -la' }, session: 1 } },
  { type: 'TOOL_RESULT', payload: { toolUseId: 't1', name: 'bash', isError: false, output: 'README.md', truncated: false, durationMs: 12.5 } },
  { type: 'FEATURE', payload: { index: 3, description: 'User can log in', passes: true } },
  { type: 'COMMIT', payload: { sha: 'abc123', message: 'Add login', filesChanged: ['src/login.ts', 'README.md'] } },
  { type: 'TEST', payload: { command: 'npm test', exitCode: 0, passed: true, durationMs: 1500, outputTail: 'ok' } },
  { type: 'ERROR', payload: { message: 'rate limited', code: 'rate_limit', retryable: true } },
  { type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: 'all_features_passing', costUsd: 0.25 } },
];

async function runWithEvents(events: NewEvent[]) {
  const projectId = rawId((await createProject(ctx.api, ctx.owner, 'Typed')).id);
  const run = await getDb().agentRun.create({ data: { projectId } });
  const sink = await createRunEventSink({ db: getDb(), redis: ctx.api.services.redis, runId: run.id, projectId });
  for (const event of events) sink.emit(event);
  await sink.close();
  return toGlobalId('AgentRun', run.id);
}

describe('typed events', () => {
  it('every event type has its object type in the union, with the fields of its zod schema', async () => {
    const introspection = await gqlOk<IntrospectionQuery>(ctx.api, getIntrospectionQuery(), {}, ctx.owner.token);
    const schema = buildClientSchema(introspection);
    const union = schema.getType('AgentRunEventData');
    expect(isUnionType(union)).toBe(true);
    if (!isUnionType(union)) return;
    expect(union.getTypes().map((t) => t.name).sort()).toEqual(EVENT_TYPES.map(eventTypeName).sort());
    for (const type of EVENT_TYPES) {
      const object = schema.getType(eventTypeName(type));
      expect(isObjectType(object)).toBe(true);
      if (isObjectType(object)) expect(Object.keys(object.getFields()).sort()).toEqual(Object.keys(payloadSchemas[type].shape).sort());
    }
  });

  it('what the worker wrote comes back typed, field for field, next to the untyped payload', async () => {
    const runId = await runWithEvents(oneOfEach);
    const data = await gqlOk(ctx.api, AgentRunTypedEventsDocument, { id: runId }, ctx.owner.token);
    const events = data.agentRun!.events;
    expect(events.map((e) => e.type)).toEqual(oneOfEach.map((e) => e.type));
    for (const event of events) {
      const { __typename, ...fields } = event.data!;
      expect(__typename).toBe(eventTypeName(event.type as NewEvent['type']));
      const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
      expect(present).toEqual(event.payload);
    }
  });

  it('a stored payload that no longer fits its type gives data: null with an error, not a failed query', async () => {
    const runId = await runWithEvents([{ type: 'TEXT', payload: { text: 'fine' } }]);
    const raw = rawId(runId);
    await getDb().agentRunEvent.update({ where: { runId_seq: { runId: raw, seq: 1 } }, data: { payload: { text: 42 } } });
    const body = await gql(ctx.api, AgentRunEventDataDocument, { id: runId }, ctx.owner.token);
    expect(body.data?.agentRun?.events).toEqual([{ seq: 1, payload: { text: 42 }, data: null }]);
    expect(body.errors?.length).toBe(1);
  });
});

// GET /api/agent-runs/:id/stream: the seed's SSE stream of a run — event names, id = seq, exact resumption after
// Last-Event-ID (or ?afterSeq=) across a dropped connection, the end after `complete`, and its authorization.
import { describe, expect, it } from 'vitest';
import type { User } from './helpers/foundation.js';
import { toGlobalId } from './helpers/global-id.js';
import { startLiveRun } from './helpers/live-run.js';
import { useProjectTeam } from './helpers/team.js';
import { rest } from './helpers/rest.js';
import { openSse } from './helpers/sse-client.js';
import type { NewEvent } from '../src/events/types.js';

const ctx = useProjectTeam('Stream');

const text = (n: number): NewEvent => ({ type: 'TEXT', payload: { text: `line ${n}` } });
const TAIL: NewEvent[] = [
  { type: 'TOOL_CALL', payload: { toolUseId: 't1', name: 'bash', input: { command: 'npm test' } } },
  { type: 'TOOL_RESULT', payload: { toolUseId: 't1', name: 'bash', isError: false, output: 'ok' } },
  { type: 'TEST', payload: { command: 'npm test', exitCode: 0, passed: true, durationMs: 5, outputTail: 'ok' } },
  { type: 'FEATURE', payload: { index: 0, description: 'Greets', passes: true } },
  { type: 'COMMIT', payload: { sha: 'a'.repeat(40), message: 'Greets', filesChanged: ['a.js'] } },
  { type: 'ERROR', payload: { message: 'a warning', retryable: true } },
  { type: 'STATUS', payload: { status: 'SUCCEEDED' } },
  { type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: 'all_features_passing', costUsd: 0.01 } },
];

const streamUrl = (runId: string, query = '') => `${ctx.api.url}/api/agent-runs/${runId}/stream${query}`;
const auth = (user: User) => ({ authorization: `Bearer ${user.token}` });

describe('REST run stream (SSE)', () => {
  it('replays, then streams live; a dropped client resumes after Last-Event-ID with exactly the rest; ends after complete', async () => {
    const { runId, sink } = await startLiveRun(ctx.api, ctx.projectId);
    sink.emit({ type: 'STATUS', payload: { status: 'RUNNING' } });
    for (let n = 1; n <= 4; n++) sink.emit(text(n));
    await sink.flush();

    const first = await openSse(streamUrl(runId), auth(ctx.viewer));
    expect(first.status).toBe(200);
    await first.waitFor(5); // replayed
    sink.emit(text(5));
    sink.emit(text(6));
    await sink.flush();
    const seen = await first.waitFor(7); // live
    first.drop();
    await first.ended;
    const lastId = seen.at(-1)!.id!;
    expect(seen.map((f) => f.id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(seen.map((f) => f.event)).toEqual(['status', 'text', 'text', 'text', 'text', 'text', 'text']);
    expect(JSON.parse(seen[1]!.data)).toMatchObject({ seq: 2, type: 'TEXT', payload: { text: 'line 1' } });

    // While nobody listens the run goes on and finishes.
    for (let n = 7; n <= 9; n++) sink.emit(text(n));
    for (const event of TAIL) sink.emit(event);
    await sink.close();

    const resumed = await openSse(streamUrl(toGlobalId('AgentRun', runId)), { ...auth(ctx.viewer), 'last-event-id': lastId });
    expect(resumed.status).toBe(200);
    await resumed.ended; // the server ends the stream after complete
    expect(resumed.frames.map((f) => Number(f.id))).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    expect(resumed.frames.map((f) => f.event)).toEqual(['text', 'text', 'text', 'tool_call', 'tool_result', 'test', 'feature', 'commit', 'error', 'status', 'complete']);
    expect(JSON.parse(resumed.frames.at(-1)!.data)).toMatchObject({ seq: 18, type: 'COMPLETE', payload: { status: 'SUCCEEDED' } });

    const fromQuery = await openSse(streamUrl(runId, '?afterSeq=15'), auth(ctx.owner));
    await fromQuery.ended;
    expect(fromQuery.frames.map((f) => f.id)).toEqual(['16', '17', '18']);
  });

  it('needs a token and membership: 401, 403 for a stranger, 404 for an unknown run, 400 for a bad Last-Event-ID', async () => {
    const { runId, sink } = await startLiveRun(ctx.api, ctx.projectId);
    await sink.close();
    const anonymous = await rest(ctx.api, 'GET', `/api/agent-runs/${runId}/stream`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    expect((await rest(ctx.api, 'GET', `/api/agent-runs/${runId}/stream`, { token: ctx.stranger.token })).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await rest(ctx.api, 'GET', `/api/agent-runs/00000000-0000-4000-8000-000000000000/stream`, { token: ctx.viewer.token })).status).toBe(404);
    const bad = await rest(ctx.api, 'GET', `/api/agent-runs/${runId}/stream`, { token: ctx.viewer.token, headers: { 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
  });
});

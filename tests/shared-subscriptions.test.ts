// Live subscriptions share one execution per event per viewer (src/transport/shared-execution.ts) and one SSE frame per
// shared result (src/transport/sse-frames.ts): sharing must never mix up viewers, documents or transports.
import { describe, expect, it } from 'vitest';
import { gqlOk, signUp } from './helpers/api.js';
import { addMember, createProject } from './helpers/foundation.js';
import { emitText, startLiveRun } from './helpers/live-run.js';
import { until } from './helpers/processes.js';
import { range } from './helpers/range.js';
import { subscribeSse, subscribeWs, type Subscription } from './helpers/subscriptions.js';
import { useStack } from './helpers/stack.js';
import { AgentRunEventRecordsDocument as EVENTS, AgentRunEventSeqsDocument as SEQS_ONLY, RemoveProjectMemberDocument, ViewerIdDocument } from './generated/graphql.js';

const stack = useStack();

const codes = (sub: Subscription<unknown>) => sub.results.flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code));
const dataOf = <T>(sub: Subscription<{ agentRunEvents: T }>) => sub.results.flatMap((r) => (r.data ? [r.data.agentRunEvents] : []));

describe('shared subscription execution', () => {
  it('gives each viewer, document and transport its own correct stream while sharing work per event', async () => {
    const { api, owner } = stack;
    const [viewer, stranger] = await Promise.all([signUp(api, 'viewer'), signUp(api, 'stranger')]);
    const projectGlobalId = (await createProject(api, owner, 'Shared')).id;
    await addMember(api, owner, projectGlobalId, viewer, 'VIEWER');
    const viewerId = (await gqlOk(api, ViewerIdDocument, {}, viewer.token)).viewer!.id;
    const { globalId: runId, sink } = await startLiveRun(api, projectGlobalId);
    await emitText(sink, 3); // replayed to everyone, then the rest arrives live

    const ownerA = subscribeSse(api.url, owner.token, EVENTS, { runId });
    const ownerB = subscribeSse(api.url, owner.token, EVENTS, { runId });
    const ownerWs = subscribeWs(api.url, owner.token, EVENTS, { runId });
    const ownerSeqs = subscribeSse(api.url, owner.token, SEQS_ONLY, { runId });
    const viewerSub = subscribeSse(api.url, viewer.token, EVENTS, { runId });
    const strangerSub = subscribeSse(api.url, stranger.token, EVENTS, { runId });
    const live = [ownerA, ownerB, ownerWs, ownerSeqs, viewerSub];
    await until(() => live.every((s) => s.results.length >= 3), 10_000, 'everyone to get the replay');
    await strangerSub.done;

    const pushedBefore = { ...api.livePushed };
    for (let i = 0; i < 5; i++) await emitText(sink, 4);
    await until(() => live.every((s) => s.results.length >= 23), 10_000, 'the live events');
    // The live events took the push path over both transports (4 SSE subscriptions, 1 graphql-ws).
    expect(api.livePushed.sse - pushedBefore.sse).toBeGreaterThanOrEqual(4 * 20);
    expect(api.livePushed.ws - pushedBefore.ws).toBeGreaterThanOrEqual(20);

    // Removed mid-stream: the viewer's next events are refused within the ~1 s membership cache, the owner's are not.
    await gqlOk(api, RemoveProjectMemberDocument, { input: { projectId: projectGlobalId, userId: viewerId } }, owner.token);
    const removedAt = Date.now();
    let viewerDone = false;
    void viewerSub.done.then(() => (viewerDone = true));
    while (!viewerDone && Date.now() - removedAt < 8000) {
      await emitText(sink, 2);
      await new Promise((r) => setTimeout(r, 50));
    }
    sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: null } });
    await sink.close();
    await Promise.all([ownerA.done, ownerB.done, ownerWs.done, ownerSeqs.done, viewerSub.done]);

    const total = sink.lastSeq;
    // Two subscriptions of the same user (and the same user over graphql-ws) get identical, complete streams.
    expect(ownerA.results.every((r) => !r.errors)).toBe(true);
    expect(dataOf(ownerA).map((e) => e.seq)).toEqual(range(1, total));
    expect(ownerB.results).toEqual(ownerA.results);
    expect(ownerWs.results).toEqual(ownerA.results);
    expect(dataOf(ownerA).at(-1)).toMatchObject({ type: 'COMPLETE', runId, payload: { status: 'SUCCEEDED' } });
    // Another document of the same user on the same events gets its own selection, not the shared result of EVENTS.
    expect(ownerSeqs.results).toEqual(range(1, total).map((seq) => ({ data: { agentRunEvents: { seq } } })));
    // The removed viewer saw exactly the owner's events up to its removal, then FORBIDDEN and nothing after.
    expect(viewerDone).toBe(true);
    const seen = dataOf(viewerSub);
    expect(seen.length).toBeGreaterThanOrEqual(23);
    expect(seen.length).toBeLessThan(total);
    expect(seen).toEqual(dataOf(ownerA).slice(0, seen.length));
    expect(viewerSub.results.at(-1)!.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    // A non-member never gets an event, shared or not.
    expect(codes(strangerSub)).toEqual(['FORBIDDEN']);
    expect(strangerSub.results.some((r) => r.data)).toBe(false);
  }, 60_000);
});

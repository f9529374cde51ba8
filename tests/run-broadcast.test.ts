// The per-run broadcast: the hub hands each published batch once to every local subscriber of the run with one
// SharedBatchWork, so caught-up subscribers of one viewer ask authorization once per event (not once per subscriber),
// and subscribers that would send the same bytes (same document, variables, viewer and transport) encode them once.
// Authorization stays per event per viewer: a viewer who loses membership stops receiving, the others go on.
import { describe, expect, it } from 'vitest';
import type { ExecutionResult } from 'graphql';
import { useTestDatabase } from './helpers/database.js';
import { createProjectRow, createRunRow } from './helpers/run-fixtures.js';
import { until } from './helpers/processes.js';
import { range } from './helpers/range.js';
import { EventHub } from '../src/events/hub.js';
import { publishEvents } from '../src/events/publish.js';
import { SharedBatchWork } from '../src/events/shared-batch-work.js';
import { streamRunEventBatches } from '../src/subscriptions/run-stream.js';
import { LivePush, newLivePushCounts } from '../src/transport/live-push.js';
import { follow, scriptedAuthorization } from './helpers/follow-stream.js';
import type { RunEvent } from '../src/events/types.js';
import { useEventHub } from './helpers/event-hub.js';

const database = useTestDatabase();
const pubsub = useEventHub();

/** An authorization the test steers, counting how often it is asked. */
function countedAuthorization() {
  const scripted = scriptedAuthorization();
  const counted = { ...scripted, calls: 0 };
  counted.authorize = () => {
    counted.calls++;
    return scripted.authorize();
  };
  return counted;
}

describe('per-run broadcast', () => {
  it('asks authorization once per event per viewer, however many subscribers, and stops only the viewer who lost access', async () => {
    const { project } = await createProjectRow(database.db);
    const row = await createRunRow(database.db, project.id);
    const run = { id: row.id, projectId: project.id };
    const payload = (seq: number, type: RunEvent['type']) => (type === 'COMPLETE' ? { status: 'SUCCEEDED', stopReason: null } : { text: `line ${seq}` });
    const send = async (seqs: number[], type: RunEvent['type'] = 'TEXT') => {
      await database.db.agentRunEvent.createMany({ data: seqs.map((seq) => ({ runId: run.id, seq, type, payload: payload(seq, type) })) });
      await publishEvents(pubsub.redis, seqs.map((seq) => ({ runId: run.id, projectId: run.projectId, seq, type, payload: payload(seq, type), createdAt: new Date().toISOString() })));
    };
    const alice = countedAuthorization();
    const bob = countedAuthorization();
    const subscribe = (viewer: string, authorize: () => void | Promise<void>) =>
      follow((signal, live) => streamRunEventBatches({ db: database.db, hub: pubsub.hub, run, afterSeq: 0, signal, idlePollMs: 5000, authorize, viewer, live }));
    const alices = [subscribe('alice', alice.authorize), subscribe('alice', alice.authorize), subscribe('alice', alice.authorize)];
    const bobs = subscribe('bob', bob.authorize);
    const bobDone = bobs.done.then(() => 'completed', (error: Error) => error.message);
    await until(() => pubsub.hub.channelCount === 1, 5000, 'the subscriptions');
    await until(() => [...alices, bobs].every((s) => s.caughtUp()), 5000, 'every stream to replay nothing and wait for live events');
    const [aliceBefore, bobBefore] = [alice.calls, bob.calls];

    await send([1, 2, 3]);
    await until(() => [...alices, bobs].every((s) => s.log.length === 3), 5000, 'the first batch');
    expect(alice.calls - aliceBefore).toBe(3); // one answer per event for alice's three subscribers
    expect(bob.calls - bobBefore).toBe(3);
    expect(pubsub.hub.channelCount).toBe(1); // one hub listener for the run

    bob.forbid();
    await send([4, 5]);
    expect(await bobDone).toBe('FORBIDDEN');
    await send([6], 'COMPLETE');
    await Promise.all(alices.map((s) => s.done));
    for (const s of alices) {
      expect(s.log.map(([, e]) => e.seq)).toEqual(range(1, 6));
      expect(s.via('pull')).toEqual([]);
    }
    expect(bobs.log.map(([, e]) => e.seq)).toEqual([1, 2, 3]);
    await until(() => pubsub.hub.channelCount === 0, 5000, 'the hub to leave the run channel');
  });

  it('encodes a batch once for subscriptions that share their results, and writes it to each', () => {
    const events: RunEvent[] = [1, 2].map((seq) => ({ runId: 'r', projectId: 'p', seq, type: 'TEXT', payload: { text: String(seq) }, createdAt: '' }));
    const results = new Map(events.map((e) => [e, { data: { seq: e.seq } } as ExecutionResult]));
    let encodings = 0;
    const written: Uint8Array[][] = [];
    const subscriber = (resultKey: string) => {
      const push = new LivePush(newLivePushCounts());
      const mine: Uint8Array[] = [];
      written.push(mine);
      push.attachExecutor((event) => results.get(event)!, resultKey);
      push.attachWriter({
        transport: 'sse',
        framesResultBatches: true,
        write: () => false, // never used for a broadcast batch
        encoded: {
          encode: (out) => (encodings++, Buffer.from(JSON.stringify(out))),
          write: (bytes) => (mine.push(bytes), true),
        },
      });
      return push.target()!;
    };
    const shared = new SharedBatchWork();
    const [a1, a2, b] = [subscriber('doc|alice'), subscriber('doc|alice'), subscriber('doc|bob')];
    for (const target of [a1, a2, b]) expect(target.deliver(events, shared)).toBe(true);
    expect(encodings).toBe(2); // once for alice's two subscriptions, once for bob's
    expect(written[0]![0]).toBe(written[1]![0]);
    expect(written[2]![0]).not.toBe(written[0]![0]);
    expect(JSON.parse(Buffer.from(written[0]![0]!).toString())).toEqual([{ data: { seq: 1 } }, { data: { seq: 2 } }]);
  });
});

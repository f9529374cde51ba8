import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { useTestDatabase } from './helpers/database.js';
import { createRunRow, createProjectRow } from './helpers/run-fixtures.js';
import { createRedis } from '../src/redis.js';
import { createRunEventSink, RunOwnershipLostError } from '../src/events/sink.js';
import { runChannel, projectChannel, type RunEvent } from '../src/events/types.js';
import { parseEventMessage } from '../src/events/publish.js';
import { claimLease, RunLease } from '../src/runs/lease.js';

const database = useTestDatabase();
let redis: Redis;
let subscriber: Redis;

beforeAll(async () => {
  redis = createRedis();
  subscriber = createRedis(undefined, { worker: true });
});
afterAll(async () => {
  redis?.disconnect();
  subscriber?.disconnect();
});

function collect(channel: string): { events: RunEvent[]; ready: Promise<unknown> } {
  const events: RunEvent[] = [];
  subscriber.on('message', (ch, message) => {
    if (ch === channel) events.push(...parseEventMessage(message));
  });
  return { events, ready: subscriber.subscribe(channel) };
}

async function until(check: () => boolean, timeoutMs = 5000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('run event sink', () => {
  it('assigns contiguous seqs, persists in batches, publishes after the insert on run and project channels', async () => {
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id);
    const onRun = collect(runChannel(run.id));
    const onProject = collect(projectChannel(project.id));
    await Promise.all([onRun.ready, onProject.ready]);

    const sink = await createRunEventSink({ db: database.db, redis, runId: run.id, projectId: project.id });
    sink.emit({ type: 'STATUS', payload: { status: 'RUNNING' } });
    for (let i = 0; i < 1200; i++) sink.emit({ type: 'TEXT', payload: { text: `line ${i}` } });
    sink.emit({ type: 'COMPLETE', payload: { status: 'SUCCEEDED', stopReason: null } });
    await sink.close();

    const rows = await database.db.agentRunEvent.findMany({ where: { runId: run.id }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 1202 }, (_, i) => i + 1));
    expect(rows[1]!.payload).toEqual({ text: 'line 0' });
    await until(() => onRun.events.length === 1202 && onProject.events.length === 1202);
    expect(onRun.events.map((e) => e.seq)).toEqual(rows.map((r) => r.seq));
    expect(onProject.events.at(-1)).toMatchObject({ runId: run.id, projectId: project.id, type: 'COMPLETE' });
    expect(() => sink.emit({ type: 'TEXT', payload: { text: 'late' } })).toThrow(/closed/);
  });

  it('rejects an invalid payload at the boundary', async () => {
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id);
    const sink = await createRunEventSink({ db: database.db, redis, runId: run.id, projectId: project.id });
    expect(() => sink.emit({ type: 'STATUS', payload: { status: 'DANCING' } } as never)).toThrow(/status/);
    expect(() => sink.emit({ type: 'TEXT', payload: { text: 'x'.repeat(20_000) } })).toThrow();
    await sink.close();
    expect(await database.db.agentRunEvent.count({ where: { runId: run.id } })).toBe(0);
  });

  it('continues from the last persisted seq after a restart, and a second writer of the same seqs is stopped', async () => {
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id);
    const first = await createRunEventSink({ db: database.db, redis, runId: run.id, projectId: project.id });
    first.emit({ type: 'TEXT', payload: { text: 'a' } });
    first.emit({ type: 'TEXT', payload: { text: 'b' } });
    await first.flush();

    const stale = await createRunEventSink({ db: database.db, redis, runId: run.id, projectId: project.id });
    const resumed = await createRunEventSink({ db: database.db, redis, runId: run.id, projectId: project.id });
    expect(resumed.lastSeq).toBe(2);
    resumed.emit({ type: 'TEXT', payload: { text: 'c' } });
    await resumed.close();

    let failure: Error | undefined;
    const loser = await createRunEventSink({ db: database.db, redis, runId: run.id, projectId: project.id, onFailure: (e) => (failure = e) });
    expect(stale.lastSeq).toBe(2);
    await loser.close();
    stale.emit({ type: 'TEXT', payload: { text: 'stale c' } });
    await expect(stale.flush()).rejects.toBeInstanceOf(RunOwnershipLostError);
    expect(() => stale.emit({ type: 'TEXT', payload: { text: 'more' } })).toThrow(RunOwnershipLostError);
    expect(failure).toBeUndefined();
    const rows = await database.db.agentRunEvent.findMany({ where: { runId: run.id }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => (r.payload as { text: string }).text)).toEqual(['a', 'b', 'c']);
  });

  it('fencing: once another holder claims the run (epoch + 1), the old holder stores nothing more, not even a seq the new one has not used', async () => {
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id);
    const first = await claimLease(database.db, run.id, 'worker-a:1', 200);
    expect(first.status).toBe('claimed');
    const epochA = first.status === 'claimed' ? first.epoch : -1;
    expect(await claimLease(database.db, run.id, 'worker-b:1', 200)).toMatchObject({ status: 'held', owner: 'worker-a:1' });
    const old = await createRunEventSink({ db: database.db, redis, runId: run.id, projectId: project.id, epoch: epochA });
    old.emit({ type: 'TEXT', payload: { text: 'a1' } });
    await old.flush();

    await new Promise((r) => setTimeout(r, 250)); // A's lease expires (it stopped renewing)
    const second = await claimLease(database.db, run.id, 'worker-b:1', 5000);
    expect(second).toMatchObject({ status: 'claimed', epoch: epochA + 1 });
    // A writes a seq B never used: the epoch, not the seq, stops it.
    old.emit({ type: 'TEXT', payload: { text: 'a2 (stale)' } });
    await expect(old.flush()).rejects.toBeInstanceOf(RunOwnershipLostError);

    const fresh = await createRunEventSink({ db: database.db, redis, runId: run.id, projectId: project.id, epoch: epochA + 1 });
    fresh.emit({ type: 'TEXT', payload: { text: 'b1' } });
    await fresh.close();
    const rows = await database.db.agentRunEvent.findMany({ where: { runId: run.id }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.seq, (r.payload as { text: string }).text])).toEqual([[1, 'a1'], [2, 'b1']]);
  });

  it('a lease holder that is taken over notices at its next renewal and aborts its signal', async () => {
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id);
    const sentAt = Date.now();
    const claim = await claimLease(database.db, run.id, 'worker-a:2', 400);
    const lease = new RunLease(database.db, run.id, 'worker-a:2', claim.status === 'claimed' ? claim.epoch : -1, sentAt, 400);
    expect(() => lease.assertHeld()).not.toThrow();
    // Someone with direct access moves the epoch on (as a claim after an expiry would).
    await database.db.agentRun.update({ where: { id: run.id }, data: { leaseEpoch: { increment: 1 }, leaseOwner: 'worker-b:2' } });
    await until(() => lease.signal.aborted, 3000);
    expect((lease.signal.reason as { kind: string }).kind).toBe('taken');
    expect(() => lease.assertHeld()).toThrow(/claimed by another holder/);
    await lease.release();
    expect((await database.db.agentRun.findUniqueOrThrow({ where: { id: run.id } })).leaseOwner).toBe('worker-b:2');
  });
});

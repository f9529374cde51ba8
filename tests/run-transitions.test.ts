// The run status transition table (src/runs/transitions.ts) and the guarded status write that enforces it: a
// forbidden change is refused by the UPDATE itself, so concurrent writers cannot both apply conflicting changes.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './helpers/database.js';
import { createProjectRow, createRunRow } from './helpers/run-fixtures.js';
import { RunOwnershipLostError } from '../src/events/sink.js';
import { FINAL_RUN_STATUSES, RUN_STATUSES, type RunStatus } from '../src/events/types.js';
import { canTransition, ForbiddenTransitionError, RUN_TRANSITIONS, statusesLeadingTo } from '../src/runs/transitions.js';
import { writeRunStatus } from '../src/runs/status-update.js';
import { claimLease } from '../src/runs/lease.js';

describe('the transition table', () => {
  it('covers every status of the schema, and only those', () => {
    expect(Object.keys(RUN_TRANSITIONS).sort()).toEqual([...RUN_STATUSES].sort());
    for (const targets of Object.values(RUN_TRANSITIONS)) for (const to of targets) expect(RUN_STATUSES).toContain(to);
  });

  it('lets nothing leave a final status', () => {
    for (const from of FINAL_RUN_STATUSES) for (const to of RUN_STATUSES) expect(canTransition(from, to)).toBe(false);
  });

  it('allows the lifecycle: start, resume after a crash, checkpoint, pause, resume, finish', () => {
    const allowed: Array<[RunStatus, RunStatus]> = [
      ['QUEUED', 'RUNNING'],
      ['RUNNING', 'RUNNING'],
      ['RUNNING', 'INTERRUPTED'],
      ['INTERRUPTED', 'RUNNING'],
      ['RUNNING', 'PAUSED'],
      ['QUEUED', 'PAUSED'],
      ['PAUSED', 'QUEUED'],
      ['PAUSED', 'CANCELLED'],
      ['QUEUED', 'CANCELLED'],
      ['RUNNING', 'SUCCEEDED'],
      ['RUNNING', 'STOPPED'],
      ['RUNNING', 'FAILED'],
    ];
    for (const [from, to] of allowed) expect(canTransition(from, to), `${from} → ${to}`).toBe(true);
  });

  it('forbids what no writer may do', () => {
    const forbidden: Array<[RunStatus, RunStatus]> = [
      ['PAUSED', 'RUNNING'],
      ['PAUSED', 'PAUSED'],
      ['QUEUED', 'QUEUED'],
      ['QUEUED', 'SUCCEEDED'],
      ['INTERRUPTED', 'INTERRUPTED'],
      ['PAUSED', 'SUCCEEDED'],
      ['CANCELLED', 'QUEUED'],
      ['SUCCEEDED', 'RUNNING'],
    ];
    for (const [from, to] of forbidden) expect(canTransition(from, to), `${from} → ${to}`).toBe(false);
  });

  it('statusesLeadingTo is the inverse of the table', () => {
    for (const to of RUN_STATUSES) {
      expect(statusesLeadingTo(to).sort()).toEqual(RUN_STATUSES.filter((from) => RUN_TRANSITIONS[from].includes(to)).sort());
    }
  });
});

describe('writeRunStatus', () => {
  const database = useTestDatabase();

  it('refuses a forbidden transition and leaves the row as it was', async () => {
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id, { status: 'SUCCEEDED', stopReason: 'all_features_passing' });
    await expect(writeRunStatus(database.db, run.id, { to: 'RUNNING', data: { workerId: 'w' } })).rejects.toBeInstanceOf(ForbiddenTransitionError);
    await expect(writeRunStatus(database.db, run.id, { to: 'QUEUED' })).rejects.toThrow(/cannot go from SUCCEEDED to QUEUED/);
    expect(await database.db.agentRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: 'SUCCEEDED', workerId: null });
  });

  it('of two writers racing to change one run, only the one the table allows wins', async () => {
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id, { status: 'PAUSED' });
    // Two resumes at once (PAUSED → QUEUED): one applies, the other finds QUEUED → QUEUED forbidden.
    const results = await Promise.allSettled([writeRunStatus(database.db, run.id, { to: 'QUEUED' }), writeRunStatus(database.db, run.id, { to: 'QUEUED' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(ForbiddenTransitionError);
  });

  it('writes an allowed transition and returns the usage totals from the same statement', async () => {
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id, { status: 'RUNNING', costUsd: 1.25, inputTokens: 10 });
    const usage = await writeRunStatus(database.db, run.id, { to: 'STOPPED', data: { stopReason: 'max_sessions', finishedAt: new Date() } });
    expect(usage).toMatchObject({ costUsd: 1.25, inputTokens: 10 });
    expect(await database.db.agentRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: 'STOPPED', stopReason: 'max_sessions' });
  });

  it('leaves a run in a status the writer excluded (`from`), and fences by the lease epoch', async () => {
    const { project } = await createProjectRow(database.db);
    const run = await createRunRow(database.db, project.id, { status: 'RUNNING' });
    expect(await writeRunStatus(database.db, run.id, { to: 'PAUSED', from: ['QUEUED', 'INTERRUPTED'] })).toBeNull();
    const claim = await claimLease(database.db, run.id, 'holder-a', 5000);
    if (claim.status !== 'claimed') throw new Error('not claimed');
    await expect(writeRunStatus(database.db, run.id, { to: 'INTERRUPTED', epoch: claim.epoch - 1 })).rejects.toBeInstanceOf(RunOwnershipLostError);
    expect(await writeRunStatus(database.db, run.id, { to: 'INTERRUPTED', epoch: claim.epoch })).not.toBeNull();
    expect((await database.db.agentRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe('INTERRUPTED');
  });
});

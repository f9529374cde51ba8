// Retries (429 with retry-after, 529, mid-stream overloaded errors), a final API failure, abort of a running command,
// and resuming a run after its worker died mid-session.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bash, say, toolResults } from './helpers/scripted-anthropic.js';
import { continueRun, eventsOf, seedInitialized, seedProject, startRun, useRuntimeHarness } from './helpers/runtime-fixtures.js';
import { withEnv } from './helpers/process-settings.js';

const NAMES = ['Alpha', 'Beta'];

function processesMatching(text: string): string[] {
  // Only the sleep processes themselves, not the bash -c wrapper whose argv also contains the text.
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('sleep ') && l.includes(text));
}

describe('agent runtime resilience', () => {
  const h = useRuntimeHarness();

  it('retries a 429 (honouring retry-after), a 529 and a mid-stream overloaded error, then succeeds', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, NAMES);
    const before = h.model.requests.length;
    h.model.enqueue(
      { error: { status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your rate limit', retryAfter: 0.2 } },
      { error: { status: 529, type: 'overloaded_error', message: 'Overloaded', retryAfter: 0.1 } },
      { streamError: { type: 'overloaded_error', message: 'Overloaded' }, partialText: 'Let me' },
      say('Recovered.'),
    );
    const started = Date.now();
    const { runId, outcome } = await startRun(h, project.id, { maxSessions: 1 });
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200); // retry-after was waited for
    expect(h.model.requests.length - before).toBe(4);
    const events = await eventsOf(h.db, runId);
    const retry = events.find((e) => e.type === 'ERROR')!.payload as { message: string; retryable: boolean; code: string };
    expect(retry).toMatchObject({ retryable: true, code: 'overloaded_error' });
    expect(retry.message).toMatch(/retrying/);
    const session = await h.db.agentSession.findFirstOrThrow({ where: { runId } });
    expect(session.turns).toBe(1);
  });

  it('fails the run with a readable reason when the API keeps failing', async () => {
    await withEnv({ SHIPYARD_API_MAX_RETRIES: '1' }, async () => {
      const { project } = await seedProject(h);
      await seedInitialized(h, project.workspacePath, project.id, NAMES);
      const overloaded = { error: { status: 529, type: 'overloaded_error', message: 'Overloaded' } };
      h.model.enqueue(overloaded, overloaded);
      const { runId, outcome } = await startRun(h, project.id);
      expect(outcome.status).toBe('FAILED');
      expect(outcome.error).toMatch(/The Anthropic API answered 529 overloaded_error: Overloaded/);
      const errors = (await eventsOf(h.db, runId)).filter((e) => e.type === 'ERROR');
      expect(errors.at(-1)!.payload).toMatchObject({ code: 'overloaded_error', retryable: false });
      expect(h.model.remaining()).toBe(0);
    });
  });

  it('abort kills a running `sleep 60` and its process group, and leaves the session restartable', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, NAMES);
    // Unique durations so processes of other runs never match.
    const tag = String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
    const [bg, fg] = [`sleep 60.${tag}1`, `sleep 60.${tag}2`];
    h.model.enqueue(bash(`${bg} & ${fg}`));
    const controller = new AbortController();
    const run = await h.db.agentRun.create({ data: { projectId: project.id, status: 'RUNNING', maxSessions: 1 } });
    const running = continueRun(h, run.id, project.id, controller.signal);
    const deadline = Date.now() + 10_000;
    while (processesMatching(fg).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processesMatching(fg)).toHaveLength(1);
    expect(processesMatching(bg)).toHaveLength(1);
    const abortedAt = Date.now();
    controller.abort();
    const outcome = await running;
    expect(outcome).toEqual({ status: 'CANCELLED', stopReason: 'stop_requested' });
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
    expect([...processesMatching(fg), ...processesMatching(bg)]).toEqual([]);
    const session = await h.db.agentSession.findFirstOrThrow({ where: { runId: run.id } });
    expect(session.finishedAt).toBeNull();

    // A new worker picks the run up again: the interrupted session 1 restarts and the run goes on.
    h.model.enqueue(say('Picking up where the last attempt stopped.'));
    const resumed = await continueRun(h, run.id, project.id, new AbortController().signal);
    expect(resumed).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });
    const sessions = await h.db.agentSession.findMany({ where: { runId: run.id }, orderBy: { number: 'asc' } });
    expect(sessions[0]).toMatchObject({ number: 1, stopReason: 'end_turn' });
    expect(sessions[0].finishedAt).not.toBeNull();
    const kickoff = h.model.requests.at(-1)!.body.messages[0].content as Array<{ text: string }>;
    expect(kickoff[0].text).toMatch(/interrupted/);
    const events = await eventsOf(h.db, run.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.some((e) => e.type === 'STATUS' && /restarted/.test((e.payload as { message: string }).message))).toBe(true);
  });

  it('a stop requested in the database ends the run before the next session', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, NAMES);
    const before = h.model.requests.length;
    const { outcome } = await startRun(h, project.id, { stopRequested: true });
    expect(outcome).toEqual({ status: 'CANCELLED', stopReason: 'stop_requested' });
    expect(h.model.requests.length).toBe(before);
  });

  it('keeps and reports uncommitted leftovers when a run resumes', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, NAMES);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${project.workspacePath}/half-done.js`, '// work in progress\n');
    const run = await h.db.agentRun.create({ data: { projectId: project.id, status: 'RUNNING', sessionsCompleted: 1, maxSessions: 2 } });
    h.model.enqueue(bash('ls half-done.js'), say('ok'));
    const outcome = await continueRun(h, run.id, project.id);
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });
    const kickoff = h.model.requests.at(-2)!.body.messages[0].content as Array<{ text: string }>;
    expect(kickoff[0].text).toMatch(/uncommitted changes[\s\S]*half-done\.js/);
    expect(toolResults(h.model.requests.at(-1)!)[0].content).toBe('half-done.js');
    const status = (await eventsOf(h.db, run.id)).find((e) => e.type === 'STATUS' && /Session 2/.test((e.payload as { message: string }).message));
    expect((status!.payload as { message: string }).message).toMatch(/uncommitted change\(s\) from before were kept: .*half-done\.js/);
  });
});

// The runtime's rules through the real SDK and scripted model: feature_list.json enforcement, command and path
// refusals, and the stop conditions (max sessions, no progress, budget).
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bash, editor, say, tool, toolResults } from './helpers/scripted-anthropic.js';
import { eventsOf, featureListText, seedInitialized, seedProject, startRun, useRuntimeHarness } from './helpers/runtime-fixtures.js';

const NAMES = ['Alpha', 'Beta', 'Gamma'];
const verdict = (v: 'pass' | 'fail') => tool('submit_verdict', { verdict: v, commands: ['node --test'], output: v === 'pass' ? 'ok' : 'not ok' });

describe('agent runtime rules', () => {
  const h = useRuntimeHarness();

  it('refuses an agent that deletes a feature: file restored, agent told why, rows unchanged', async () => {
    const { project } = await seedProject(h);
    const original = await seedInitialized(h, project.workspacePath, project.id, NAMES);
    const rowsBefore = await h.db.feature.findMany({ where: { projectId: project.id }, orderBy: { index: 'asc' } });
    h.model.enqueue(
      editor({ command: 'create', path: 'feature_list.json', file_text: featureListText(['Alpha', 'Beta'], [true, true]) }),
      say('I tried.'),
    );
    const { runId, outcome } = await startRun(h, project.id, { maxSessions: 1 });
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });

    const fedBack = toolResults(h.model.requests.at(-1)!)[0];
    expect(fedBack.is_error).toBe(true);
    expect(fedBack.content).toMatch(/rejected and the file was restored: 1 entry was removed/);
    expect(readFileSync(join(project.workspacePath, 'feature_list.json'), 'utf8')).toBe(original);
    const rowsAfter = await h.db.feature.findMany({ where: { projectId: project.id }, orderBy: { index: 'asc' } });
    expect(rowsAfter).toEqual(rowsBefore);
    const errors = (await eventsOf(h.db, runId)).filter((e) => e.type === 'ERROR');
    expect(errors.map((e) => (e.payload as { code: string }).code)).toEqual(['FEATURE_LIST_REJECTED']);
    const session = await h.db.agentSession.findFirstOrThrow({ where: { runId } });
    expect(session.newlyPassing).toBe(0);
  });

  it('rejects edits, reorders and passes true→false; accepts a flip', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, NAMES, [true, false, false]);
    h.model.enqueue(
      editor({ command: 'create', path: 'feature_list.json', file_text: featureListText(['Alpha', 'Beta (easier)', 'Gamma'], [true, false, false]) }),
      editor({ command: 'create', path: 'feature_list.json', file_text: featureListText(['Beta', 'Alpha', 'Gamma'], [false, true, false]) }),
      editor({ command: 'create', path: 'feature_list.json', file_text: featureListText(NAMES, [false, false, false]) }),
      editor({ command: 'create', path: 'feature_list.json', file_text: featureListText(NAMES, [true, true, false]) }),
      bash('git add -A && git commit -q -m "Beta works"'),
      say('done'),
      verdict('pass'),
    );
    const { runId } = await startRun(h, project.id, { maxSessions: 1 });
    const results = h.model.requests.slice(-6, -2).map((r) => toolResults(r)[0]);
    expect(results[0].content).toMatch(/entry #1 \("Beta"\) was edited/);
    expect(results[1].content).toMatch(/entry #0 was moved \(it was #1\)/);
    expect(results[2].content).toMatch(/entry #0 was set back to "passes": false/);
    expect(results.slice(0, 3).every((r) => r.is_error)).toBe(true);
    expect(results[3].is_error).toBeUndefined();
    expect(results[3].content).toMatch(/noted your claim that feature #1 passes/);
    const rows = await h.db.feature.findMany({ where: { projectId: project.id }, orderBy: { index: 'asc' } });
    expect(rows.map((r) => [r.description, r.passes])).toEqual([['Alpha', true], ['Beta', true], ['Gamma', false]]);
    const session = await h.db.agentSession.findFirstOrThrow({ where: { runId } });
    expect(session.newlyPassing).toBe(1);
  });

  it('refuses path escapes, symlink escapes, curl and bash -c without running them', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, NAMES);
    const outside = join(tmpdir(), `shipyard-outside-${Date.now()}`);
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret.txt'), 'top secret');
    symlinkSync(outside, join(project.workspacePath, 'escape'));
    const marker = join(project.workspacePath, 'ran.txt');
    h.model.enqueue(
      bash('cat ../../etc/passwd'),
      bash('cat escape/secret.txt'),
      editor({ command: 'view', path: 'escape/secret.txt' }),
      editor({ command: 'create', path: 'escape/new.txt', file_text: 'x' }),
      editor({ command: 'view', path: '/etc/passwd' }),
      bash('curl http://example.com > ran.txt'),
      bash(`bash -c "touch ${marker}"`),
      bash('echo $(touch ran.txt)'),
      say('giving up'),
    );
    await startRun(h, project.id, { maxSessions: 1 });
    const results = h.model.requests.slice(-8).map((r) => toolResults(r)[0]);
    expect(results.every((r) => r.is_error && /^Refused/.test(r.content))).toBe(true);
    expect(results[0].content).toMatch(/outside the project workspace/);
    expect(results[1].content).toMatch(/symlink/);
    expect(results[2].content).toMatch(/symlink/);
    expect(results[3].content).toMatch(/symlink/);
    expect(results[5].content).toMatch(/"curl" is not in this agent's allowed commands/);
    expect(results[6].content).toMatch(/"bash -c" runs a command string/);
    expect(results[7].content).toMatch(/command substitution/);
    expect(results.every((r) => r.content.includes('top secret') === false)).toBe(true);
    expect(() => readFileSync(marker)).toThrow();
    expect(() => readFileSync(join(outside, 'new.txt'))).toThrow();
  });

  it('stops at max sessions', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, NAMES);
    h.model.enqueue(say('one'), say('two'));
    const { runId, outcome } = await startRun(h, project.id, { maxSessions: 2 });
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });
    expect(await h.db.agentSession.count({ where: { runId } })).toBe(2);
    expect(h.model.remaining()).toBe(0);
  });

  it('stops after N sessions in a row without a newly passing feature', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, NAMES);
    const flip = (i: number) =>
      editor({ command: 'str_replace', path: 'feature_list.json', old_str: `"check ${NAMES[i]}"], "passes": false`, new_str: `"check ${NAMES[i]}"], "passes": true` });
    const commit = bash('git add -A && git commit -q -m work');
    // progress, none, progress, none, none, none → stops after the third empty session in a row (default N = 3).
    // A progress session flips a feature, commits, ends, and the verifier confirms the claim.
    h.model.enqueue(flip(0), commit, say('a'), verdict('pass'), say('b'), flip(1), commit, say('c'), verdict('pass'), say('d'), say('e'), say('f'));
    const { runId, outcome } = await startRun(h, project.id, { maxSessions: 20 });
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'no_progress' });
    const sessions = await h.db.agentSession.findMany({ where: { runId }, orderBy: { number: 'asc' } });
    expect(sessions.map((s) => s.newlyPassing)).toEqual([1, 0, 1, 0, 0, 0]);
    const run = await h.db.agentRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.sessionsWithoutProgress).toBe(3);
  });

  it('parks (PAUSED, budget) when the budget is spent, mid-session, keeping the session open with a checkpoint', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, NAMES);
    const costly = { input_tokens: 1_000_000, output_tokens: 0 }; // $3 at the test model's $3/MTok input
    h.model.enqueue({ ...bash('ls'), usage: costly }, { ...bash('ls'), usage: costly }, say('never reached'));
    const { runId, outcome } = await startRun(h, project.id, { budgetUsd: 5 });
    expect(outcome).toEqual({ status: 'PAUSED', stopReason: 'budget', detail: "the run's budget" });
    const run = await h.db.agentRun.findUniqueOrThrow({ where: { id: runId } });
    expect(Number(run.costUsd)).toBeCloseTo(6, 6);
    expect(h.model.remaining()).toBe(1);
    const session = await h.db.agentSession.findFirstOrThrow({ where: { runId } });
    expect(session).toMatchObject({ stopReason: null, finishedAt: null, turns: 2 });
    expect(session.checkpoint).not.toBeNull();
  });

  it('repeats the initializer while no valid feature list exists, and counts that as no progress', async () => {
    const { project } = await seedProject(h);
    const before = h.model.requests.length;
    h.model.enqueue(
      editor({ command: 'create', path: 'feature_list.json', file_text: '[{"category": "functional"}]' }),
      say('I could not finish.'),
      say('Still nothing.'),
      say('Nothing again.'),
    );
    const { runId, outcome } = await startRun(h, project.id);
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'no_progress' });
    const sessions = await h.db.agentSession.findMany({ where: { runId }, orderBy: { number: 'asc' } });
    expect(sessions.map((s) => s.kind)).toEqual(['INITIALIZER', 'INITIALIZER', 'INITIALIZER']);
    const invalid = toolResults(h.model.requests[before + 1])[0];
    expect(invalid.content).toMatch(/feature_list\.json is not valid yet: .*entry 0: "description" must be a string/);
    expect(await h.db.feature.count({ where: { projectId: project.id } })).toBe(0);
  });

  it('adopts an initializer\'s list with every feature failing, whatever "passes" it wrote: a pass is only ever a claim to verify', async () => {
    const { project } = await seedProject(h);
    h.model.enqueue(
      editor({ command: 'create', path: 'feature_list.json', file_text: featureListText(['Alpha', 'Beta'], [true, true]) }),
      say('Everything already passes.'),
    );
    const { runId, outcome } = await startRun(h, project.id, { maxSessions: 1 });
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });
    const rows = await h.db.feature.findMany({ where: { projectId: project.id }, orderBy: { index: 'asc' } });
    expect(rows.map((r) => [r.description, r.passes, r.passedAt])).toEqual([['Alpha', false, null], ['Beta', false, null]]);
    const features = (await eventsOf(h.db, runId)).filter((e) => e.type === 'FEATURE').map((e) => e.payload);
    expect(features).toEqual([expect.objectContaining({ index: 0, passes: false }), expect.objectContaining({ index: 1, passes: false })]);
  });

  it('SUCCEEDS at once, without calling the model, when every feature already passes', async () => {
    const { project } = await seedProject(h);
    await seedInitialized(h, project.workspacePath, project.id, NAMES, [true, true, true]);
    const before = h.model.requests.length;
    const { outcome } = await startRun(h, project.id);
    expect(outcome).toEqual({ status: 'SUCCEEDED', stopReason: 'all_features_passing' });
    expect(h.model.requests.length).toBe(before);
  });
});

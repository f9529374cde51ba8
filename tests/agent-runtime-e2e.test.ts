// End to end: app spec → initializer (3-feature list, init.sh, first commit) → three coding sessions (file, test
// command, flip, commit) → SUCCEEDED, through the real SDK against the scripted Messages API.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costUsd } from '../src/agent-config/pricing.js';
import { toolResults } from './helpers/scripted-anthropic.js';
import { FEATURES, USAGE, codingSession, initializerSession } from './helpers/quickstart-script.js';
import { eventsOf, seedProject, startRun, useRuntimeHarness, TEST_MODEL } from './helpers/runtime-fixtures.js';

describe('agent runtime end to end', () => {
  const h = useRuntimeHarness();

  it('runs a project from app spec to SUCCEEDED', async () => {
    const steps = [...initializerSession(), ...codingSession(0), ...codingSession(1), ...codingSession(2)];
    h.model.enqueue(...steps);
    const { project } = await seedProject(h, { appSpec: 'Build a greeter, an adder and a string reverser.' });

    const { runId, outcome } = await startRun(h, project.id);

    expect(outcome).toEqual({ status: 'SUCCEEDED', stopReason: 'all_features_passing' });
    expect(h.model.remaining()).toBe(0);

    // Workspace: created as a git repo with the app spec.
    expect(readFileSync(join(project.workspacePath, 'app_spec.txt'), 'utf8')).toContain('greeter');
    expect(existsSync(join(project.workspacePath, 'src/feature2.js'))).toBe(true);

    const features = await h.db.feature.findMany({ where: { projectId: project.id }, orderBy: { index: 'asc' } });
    expect(features.map((f) => [f.description, f.passes])).toEqual(FEATURES.map((d) => [d, true]));

    const commits = await h.db.commit.findMany({ where: { projectId: project.id }, orderBy: { committedAt: 'asc' } });
    expect(commits.length).toBeGreaterThanOrEqual(4);
    expect(commits.map((c) => c.message)).toEqual(['Initial plan: feature list and init.sh', ...FEATURES.map((n) => `Implement: ${n}`)]);
    expect(commits[0].filesChanged).toEqual(expect.arrayContaining(['feature_list.json', 'init.sh', 'claude-progress.txt', 'app_spec.txt']));
    expect(commits[1].filesChanged).toEqual(expect.arrayContaining(['src/feature0.js', 'test/feature0.test.js', 'feature_list.json']));
    expect(commits.every((c) => c.runId === runId && /^[0-9a-f]{40}$/.test(c.sha))).toBe(true);

    const tests = await h.db.testResult.findMany({ where: { runId, kind: 'AGENT' }, orderBy: { createdAt: 'asc' } });
    expect(tests).toHaveLength(3);
    expect(tests.map((t) => [t.command, t.exitCode, t.passed])).toEqual(Array(3).fill(['node --test', 0, true]));
    expect(tests[2].outputTail).toMatch(/pass 3/);

    const sessions = await h.db.agentSession.findMany({ where: { runId }, orderBy: { number: 'asc' } });
    expect(sessions.map((s) => [s.number, s.kind, s.turns, s.newlyPassing, s.stopReason])).toEqual([
      [1, 'INITIALIZER', 3, 0, 'end_turn'],
      [2, 'CODING', 5, 1, 'end_turn'],
      [3, 'CODING', 5, 1, 'end_turn'],
      [4, 'CODING', 5, 1, 'end_turn'],
    ]);
    expect(sessions.every((s) => s.finishedAt)).toBe(true);

    // Usage and cost: exactly the scripted usage × 21 turns (18 sessions turns + 3 verifier verdicts), priced by the table.
    const turns = steps.length;
    const run = await h.db.agentRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.inputTokens).toBe(turns * USAGE.input_tokens);
    expect(run.outputTokens).toBe(turns * USAGE.output_tokens);
    expect(run.cacheReadInputTokens).toBe(turns * USAGE.cache_read_input_tokens!);
    expect(run.cacheCreationInputTokens).toBe(turns * USAGE.cache_creation_input_tokens!);
    const perTurn = costUsd(TEST_MODEL, { inputTokens: 1200, outputTokens: 300, cacheReadInputTokens: 800, cacheCreationInputTokens: 150 });
    expect(Number(run.costUsd)).toBeCloseTo(turns * perTurn, 4) // each turn's cost is stored rounded to 1e-6 USD;
    expect(Number(sessions[1].costUsd)).toBeCloseTo(5 * perTurn, 4);
    expect(run.sessionsCompleted).toBe(4);
    expect(run.sessionsWithoutProgress).toBe(0);
    expect(run.status).toBe('RUNNING'); // the runtime never writes the status

    // Events: gapless seqs, every kind the issue names, bounded tool payloads.
    const events = await eventsOf(h.db, runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const types = new Set(events.map((e) => e.type));
    for (const t of ['STATUS', 'TEXT', 'TOOL_CALL', 'TOOL_RESULT', 'FEATURE', 'COMMIT', 'TEST']) expect(types).toContain(t);
    expect(events.filter((e) => e.type === 'TOOL_CALL')).toHaveLength(events.filter((e) => e.type === 'TOOL_RESULT').length);
    expect(events.filter((e) => e.type === 'COMMIT')).toHaveLength(4);
    const flips = events.filter((e) => e.type === 'FEATURE' && (e.payload as { passes: boolean }).passes);
    expect(flips.map((e) => (e.payload as { index: number }).index)).toEqual([0, 1, 2]);
    const text = events.filter((e) => e.type === 'TEXT').map((e) => (e.payload as { text: string }).text).join('');
    expect(text).toContain('I will write the feature list');

    // Requests: trained tools under their exact names, cache breakpoint on the stable prefix, tool results fed back.
    const first = h.model.requests[0].body;
    expect(first.model).toBe(TEST_MODEL);
    expect(first.tools?.slice(0, 2)).toEqual([{ type: 'bash_20250124', name: 'bash' }, { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' }]);
    expect((first.system as Array<{ cache_control?: unknown }>).at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    const second = h.model.requests[1];
    const results = toolResults(second);
    expect(results).toHaveLength(3);
    expect(results[0].content).toContain('File created successfully at: feature_list.json');
    expect(results[0].content).toContain('recorded 3 features');
    const lastBlock = (second.body.messages.at(-1)!.content as Array<{ cache_control?: unknown }>).at(-1);
    expect(lastBlock?.cache_control).toEqual({ type: 'ephemeral' });
    // Earlier messages carry no breakpoint (at most 4 are allowed).
    // (The last request is the verifier's; the one before it is the last coding turn.)
    const breakpoints = JSON.stringify(h.model.requests.at(-2)!.body.messages).match(/cache_control/g) ?? [];
    expect(breakpoints).toHaveLength(1);
  });
});

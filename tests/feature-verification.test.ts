// A flip of `passes` is a claim: the platform verifies it when the session ends (shipyard.json's verification command
// on the committed state, then an independent verifier session) and records the evidence, visible over GraphQL.
// Dishonest coders are refused (by the command, by the verifier, for uncommitted work); an honest one is accepted;
// a regression is detected, set back to failing by the platform and worked on first.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, readHead } from '../worker/workspace.js';
import { gqlOk } from './helpers/api.js';
import { EvidenceDocument } from './generated/graphql.js';
import { bash, DEFAULT_USAGE, editor, say, tool, type RecordedRequest } from './helpers/scripted-anthropic.js';
import { continueRun, eventsOf, featureListText, seedApiProject, useRuntimeOnApi } from './helpers/runtime-fixtures.js';

const NAMES = ['Alpha', 'Beta'];
const flip = (i: number) =>
  editor({ command: 'str_replace', path: 'feature_list.json', old_str: `"check ${NAMES[i]}"], "passes": false`, new_str: `"check ${NAMES[i]}"], "passes": true` });
const commit = (message: string) => bash(`git add -A && git commit -q -m "${message}"`);
const verdict = (v: 'pass' | 'fail', output: string, commands = ['node --test']) => tool('submit_verdict', { verdict: v, commands, output });
const ALPHA_TEST = `const test = require('node:test');\nconst assert = require('node:assert');\ntest('alpha', () => assert.equal(require('../src/alpha.js').value, 42));\n`;

describe('verified feature passes', () => {
  // The API's own queue: no worker anywhere takes the runs it starts.
  const { ctx: state, h } = useRuntimeOnApi();

  /** A project made through the API, initialized with two features, shipyard.json and the given files, committed. */
  async function seed(files: Record<string, string>, passing: boolean[] = []) {
    const { globalId, projectId, workspacePath } = await seedApiProject(state, h, `Verified ${Math.random().toString(36).slice(2, 8)}`, NAMES, passing);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(workspacePath, path, '..'), { recursive: true });
      writeFileSync(join(workspacePath, path), text);
    }
    await git(workspacePath, ['add', '-A']);
    await git(workspacePath, ['commit', '-q', '-m', 'Project set up']);
    return { globalId, projectId, workspacePath };
  }

  async function run(projectId: string, maxSessions: number) {
    const row = await h.db.agentRun.create({ data: { projectId, status: 'RUNNING', maxSessions } });
    const before = h.model.requests.length;
    const outcome = await continueRun(h, row.id, projectId);
    return { runId: row.id, outcome, requests: h.model.requests.slice(before) };
  }

  async function evidence(globalId: string) {
    const { node } = await gqlOk(state.api, EvidenceDocument, { id: globalId }, state.owner.token);
    return (node && 'features' in node ? node.features.edges : []).map((e) => e.node);
  }

  const kickoffText = (request: RecordedRequest) => JSON.stringify(request.body.messages[0].content);

  it('refuses a flip whose verification command fails, resets the file, and tells the next session', async () => {
    const { globalId, projectId, workspacePath } = await seed({ 'shipyard.json': '{ "verify": "node --test" }\n', 'test/alpha.test.js': ALPHA_TEST });
    h.model.enqueue(flip(0), commit('Alpha is done'), say('Alpha is done.'), say('Looking at what was refused.'));
    const { runId, outcome, requests } = await run(projectId, 2);
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });
    expect(h.model.remaining()).toBe(0); // no verifier session: the command already refused the claim

    const sha = (await h.db.commit.findFirstOrThrow({ where: { runId, message: 'Alpha is done' } })).sha;
    const [alpha] = await evidence(globalId);
    expect(alpha).toMatchObject({ index: 0, passes: false, verifiedAt: null, regression: false });
    expect(alpha.verifications).toEqual([
      expect.objectContaining({ accepted: false, sha, command: 'node --test', commandPassed: false, verdict: null }),
    ]);
    expect(alpha.verifications[0].reason).toMatch(/the verification command `node --test` failed \(exit 1\)/);
    expect(alpha.testResults).toEqual([{ kind: 'VERIFICATION', command: 'node --test', passed: false, sha }]);

    const file = JSON.parse(readFileSync(join(workspacePath, 'feature_list.json'), 'utf8'));
    expect(file.map((f: { passes: boolean }) => f.passes)).toEqual([false, false]);
    const events = await eventsOf(h.db, runId);
    const refused = events.find((e) => e.type === 'FEATURE')!.payload as { passes: boolean; verification: { accepted: boolean } };
    expect(refused).toMatchObject({ index: 0, passes: false, verification: { accepted: false, commandPassed: false, sha } });
    expect(events.find((e) => e.type === 'TEST')!.payload).toMatchObject({ kind: 'VERIFICATION', featureIndex: 0, passed: false });
    expect(kickoffText(requests.at(-1)!)).toMatch(/did not accept the claim that feature #0 passes\. Rejected: the verification command/);
  });

  it('refuses a flip the independent verifier fails, though the tests pass; the verifier sees only the feature', async () => {
    const { globalId, projectId } = await seed({ 'shipyard.json': '{ "verify": "node --test" }\n', 'test/smoke.test.js': "require('node:test')('smoke', () => {});\n" });
    h.model.enqueue(
      { content: [{ type: 'text', text: 'SECRET-CODER-THOUGHTS: nobody will check.' }, ...flip(0).content] },
      commit('Alpha (trust me)'),
      say('Done.'),
      bash('cat src/alpha.js'),
      verdict('fail', 'src/alpha.js does not exist: the feature is not implemented.', ['cat src/alpha.js']),
    );
    const { outcome, requests } = await run(projectId, 1);
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });

    const [firstVerifierRequest] = requests.slice(3);
    expect(firstVerifierRequest.body.messages).toHaveLength(1);
    const brief = JSON.stringify(firstVerifierRequest.body.messages);
    expect(brief).toMatch(/Feature #0 \(functional\): Alpha/);
    expect(brief).toMatch(/1\. open the app\\n2\. check Alpha/);
    expect(brief).not.toMatch(/SECRET-CODER-THOUGHTS|trust me/);
    expect(JSON.stringify(firstVerifierRequest.body.system)).toMatch(/independent reviewer/);
    expect(firstVerifierRequest.body.tools!.map((t) => t.name)).toEqual(['bash', 'str_replace_based_edit_tool', 'glob', 'grep', 'submit_verdict']);

    const [alpha] = await evidence(globalId);
    expect(alpha.passes).toBe(false);
    expect(alpha.verifications[0]).toMatchObject({
      accepted: false,
      commandPassed: true,
      verdict: 'fail',
      verdictCommands: ['cat src/alpha.js'],
      verdictOutput: 'src/alpha.js does not exist: the feature is not implemented.',
    });
    expect(alpha.verifications[0].reason).toMatch(/independent verifier found it does not work/);
    expect(alpha.testResults.map((r: { kind: string; passed: boolean }) => [r.kind, r.passed])).toEqual([['VERIFICATION', true], ['VERIFIER', false]]);
  });

  it('refuses a claim whose work is not committed', async () => {
    const { projectId } = await seed({ 'shipyard.json': '{ "verify": "node --test" }\n', 'test/alpha.test.js': ALPHA_TEST });
    h.model.enqueue(editor({ command: 'create', path: 'src/alpha.js', file_text: 'exports.value = 42;\n' }), flip(0), say('Done, no commit needed.'));
    const { runId } = await run(projectId, 1);
    const verification = await h.db.featureVerification.findFirstOrThrow({ where: { runId } });
    expect(verification).toMatchObject({ accepted: false, commandPassed: null });
    expect(verification.reason).toMatch(/not committed \(src\/alpha\.js\)/);
    expect(await h.db.testResult.count({ where: { runId } })).toBe(0);
  });

  it("accepts an honest coder's flip with the evidence: verifiedAt, the commit, the command's and the verifier's results", async () => {
    const { globalId, projectId, workspacePath } = await seed({ 'shipyard.json': '{ "verify": "node --test" }\n', 'test/alpha.test.js': ALPHA_TEST });
    h.model.enqueue(
      editor({ command: 'create', path: 'src/alpha.js', file_text: 'exports.value = 42;\n' }),
      bash('node --test'),
      flip(0),
      commit('Implement Alpha'),
      say('Alpha works.'),
      bash('node --test'),
      verdict('pass', 'tests 1, pass 1: alpha returns 42'),
    );
    const { runId, outcome } = await run(projectId, 1);
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });
    const sha = readHead(workspacePath);

    const [alpha, beta] = await evidence(globalId);
    expect(alpha).toMatchObject({ passes: true, verifiedSha: sha, regression: false });
    expect(alpha.verifiedAt).not.toBeNull();
    expect(alpha.verifications).toEqual([expect.objectContaining({ accepted: true, sha, command: 'node --test', commandPassed: true, verdict: 'pass' })]);
    expect(alpha.testResults).toEqual([
      { kind: 'VERIFICATION', command: 'node --test', passed: true, sha },
      { kind: 'VERIFIER', command: 'verifier: node --test', passed: true, sha },
    ]);
    expect(beta).toMatchObject({ passes: false, verifications: [], testResults: [] });
    const session = await h.db.agentSession.findFirstOrThrow({ where: { runId } });
    expect(session.newlyPassing).toBe(1);
    // Every verification is a TEST event, besides the agent's own test run.
    const tests = (await eventsOf(h.db, runId)).filter((e) => e.type === 'TEST').map((e) => (e.payload as { kind?: string }).kind ?? 'AGENT');
    expect(tests).toEqual(['AGENT', 'VERIFICATION', 'VERIFIER']);
    expect(readFileSync(join(workspacePath, 'feature_list.json'), 'utf8')).toBe(featureListText(NAMES, [true, false]));

    // Cost per feature: the session's 5 turns went to Alpha (the feature it worked on), the verifier's 2 to its
    // verification; together they are the run's usage.
    expect(alpha.usage.coding).toMatchObject({ inputTokens: 5 * DEFAULT_USAGE.input_tokens, outputTokens: 5 * DEFAULT_USAGE.output_tokens });
    expect(alpha.usage.verification).toMatchObject({ inputTokens: 2 * DEFAULT_USAGE.input_tokens, outputTokens: 2 * DEFAULT_USAGE.output_tokens });
    expect(beta.usage.coding.inputTokens + beta.usage.verification.inputTokens).toBe(0);
    const runRow = await h.db.agentRun.findUniqueOrThrow({ where: { id: runId } });
    const perFeature = await h.db.featureUsage.findMany({ where: { runId } });
    expect(perFeature.reduce((n, u) => n + u.inputTokens, 0)).toBe(runRow.inputTokens);
    expect(perFeature.reduce((n, u) => n + u.outputTokens, 0)).toBe(runRow.outputTokens);
    expect(perFeature.reduce((n, u) => n + Number(u.costUsd), 0)).toBeCloseTo(Number(runRow.costUsd), 6);
    expect(alpha.usage.coding.costUsd + alpha.usage.verification.costUsd).toBeCloseTo(Number(runRow.costUsd), 6);
  });

  it('detects a regression (only the platform sets passes back to false) and the next session fixes it first', async () => {
    const shipyard = JSON.stringify({ verify: 'node --test', features: { '0': 'node --test test/alpha.test.js' } });
    const { globalId, projectId } = await seed({ 'shipyard.json': shipyard, 'test/alpha.test.js': ALPHA_TEST, 'src/alpha.js': 'exports.value = 42;\n' }, [true, false]);
    h.model.enqueue(
      editor({ command: 'create', path: 'src/alpha.js', file_text: 'exports.value = 41; // refactored\n' }),
      commit('Refactor alpha'),
      say('Refactored.'),
      // Session 2 is told about the regression and fixes it before anything else.
      editor({ command: 'create', path: 'src/alpha.js', file_text: 'exports.value = 42;\n' }),
      // (The platform rewrote feature_list.json when it set #0 back, so the agent writes the whole file.)
      editor({ command: 'create', path: 'feature_list.json', file_text: featureListText(NAMES, [true, false]) }),
      commit('Fix the alpha regression'),
      say('Fixed.'),
      verdict('pass', 'alpha returns 42 again'),
    );
    const { runId, outcome, requests } = await run(projectId, 2);
    expect(outcome).toEqual({ status: 'STOPPED', stopReason: 'max_sessions' });

    const events = await eventsOf(h.db, runId);
    const features = events.filter((e) => e.type === 'FEATURE').map((e) => e.payload as { index: number; passes: boolean; regression?: boolean; verification?: { accepted: boolean } });
    expect(features[0]).toMatchObject({ index: 0, passes: false, regression: true });
    expect(features[1]).toMatchObject({ index: 0, passes: true, verification: { accepted: true } });
    const session2Kickoff = requests.find((r) => r.body.messages.length === 1 && /Session 2/.test(kickoffText(r)))!;
    expect(kickoffText(session2Kickoff)).toMatch(/Regression: feature #0 passed before but fails verification now[\s\S]*Fix them first/);

    const [alpha] = await evidence(globalId);
    expect(alpha).toMatchObject({ passes: true, regression: false });
    expect(alpha.verifications.map((v: { accepted: boolean; reason: string }) => [v.accepted, v.reason.slice(0, 11)])).toEqual([
      [true, 'Verified on'],
      [false, 'Regression:'],
    ]);
    const sessions = await h.db.agentSession.findMany({ where: { runId }, orderBy: { number: 'asc' } });
    expect(sessions.map((s) => s.newlyPassing)).toEqual([0, 1]);
  });
});

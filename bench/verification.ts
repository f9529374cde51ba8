// Verification overhead per feature. A run of BENCH_FEATURES coding sessions (each implements one feature with a
// test, flips it and commits) against a zero-latency scripted model, twice in the same process:
//   (1) verification command only (shipyard.json `verify: node --test`, verifier off): the wall time the platform
//       spends verifying each claim, split into the command's own run time (as its runner measured it) and the rest
//       (platform time: git reads, rows, events). Goal: platform time <= 200 ms per feature. Baseline in the same run:
//       the same command run directly through a fresh sandbox runner in the same workspace.
//   (2) with the verifier session (one scripted verdict turn): tokens of verification against the coding tokens of
//       the same feature (Feature.usage), and the verifier's wall time.
// Knobs: BENCH_FEATURES (5), BENCH_BASELINE_RUNS (5).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultAgentsData } from '../src/agent-config/defaults.js';
import { createPrismaClient } from '../src/db/client.js';
import { createRunEventSink } from '../src/events/sink.js';
import { parseFeatureList } from '../src/features/feature-list.js';
import { syncFeatureRows } from '../src/features/sync.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { createRedis } from '../src/redis.js';
import { runtimeMetrics } from '../worker/agent/metrics.js';
import { resetModelClient, agentRuntime } from '../worker/agent/runtime.js';
import { sandboxProvider } from '../worker/sandbox/provider.js';
import { ensureWorkspace, git } from '../worker/workspace.js';
import { bash, editor, say, startScriptedAnthropic, tool, type ScriptStep } from '../tests/helpers/scripted-anthropic.js';
import { createBenchDatabase, fmt } from './support.js';

const FEATURES = Number(process.env.BENCH_FEATURES ?? 5);
const BASELINE_RUNS = Number(process.env.BENCH_BASELINE_RUNS ?? 5);
const MODEL = 'claude-sonnet-5-5';
const USAGE = { input_tokens: 2_000, output_tokens: 300, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

const names = Array.from({ length: FEATURES }, (_, k) => `Feature ${k}`);
const featureList = (passing: number) =>
  `[\n${names.map((n, i) => `  {"category": "functional", "description": "${n}", "steps": ["check ${n}"], "passes": ${i < passing}}`).join(',\n')}\n]\n`;

function codingSession(k: number, verifier: boolean): ScriptStep[] {
  const test = `const test = require('node:test');\nconst assert = require('node:assert');\ntest('f${k}', () => assert.equal(require('../src/f${k}.js').value, ${k}));\n`;
  return [
    { ...editor({ command: 'create', path: `src/f${k}.js`, file_text: `exports.value = ${k};\n` }), usage: USAGE },
    { ...editor({ command: 'create', path: `test/f${k}.test.js`, file_text: test }), usage: USAGE },
    { ...editor({ command: 'create', path: 'feature_list.json', file_text: featureList(k + 1) }), usage: USAGE },
    { ...bash(`git add -A && git commit -q -m "Feature ${k}"`), usage: USAGE },
    { ...say(`Feature ${k} is done.`), usage: USAGE },
    ...(verifier ? [{ ...tool('submit_verdict', { verdict: 'pass', commands: ['node --test'], output: `ok f${k}` }), usage: USAGE }] : []),
  ];
}

async function oneRun(db: PrismaClient, redis: ReturnType<typeof createRedis>, model: Awaited<ReturnType<typeof startScriptedAnthropic>>, generations: string, verifier: boolean) {
  const tag = `${verifier ? 'v' : 'c'}${Date.now().toString(36)}`;
  const user = await db.user.create({ data: { email: `bench-${tag}@example.com`, name: 'bench', passwordHash: 'x' } });
  const workspacePath = join(generations, tag);
  const project = await db.project.create({
    data: {
      name: tag,
      slug: tag.toUpperCase(),
      workspacePath,
      verifierEnabled: verifier,
      members: { create: { userId: user.id, role: 'OWNER' } },
      agents: { create: defaultAgentsData().map((a) => ({ ...a, model: MODEL, maxSessions: FEATURES + 1 })) },
    },
  });
  await ensureWorkspace(workspacePath, 'bench');
  writeFileSync(join(workspacePath, 'feature_list.json'), featureList(0));
  writeFileSync(join(workspacePath, 'shipyard.json'), '{ "verify": "node --test" }\n');
  mkdirSync(join(workspacePath, 'test'), { recursive: true });
  await git(workspacePath, ['add', '-A']);
  await git(workspacePath, ['commit', '-q', '-m', 'setup']);
  await syncFeatureRows(db, project.id, parseFeatureList(featureList(0)), { passes: 'from-list' });

  model.clear();
  for (let k = 0; k < FEATURES; k++) model.enqueue(...codingSession(k, verifier));
  const run = await db.agentRun.create({ data: { projectId: project.id, status: 'RUNNING', startedById: user.id } });
  const events = await createRunEventSink({ db, redis, runId: run.id, projectId: project.id });
  runtimeMetrics.reset();
  const started = performance.now();
  const outcome = await agentRuntime({ runId: run.id, db, events, signal: new AbortController().signal });
  const wallMs = performance.now() - started;
  await events.close();
  if (outcome.status !== 'SUCCEEDED') throw new Error(`bench run ended ${outcome.status} ${outcome.stopReason} ${outcome.error ?? ''}`);
  const usage = await db.featureUsage.findMany({ where: { runId: run.id } });
  const tokens = (kind: string) => usage.filter((u) => u.kind === kind).reduce((n, u) => n + u.inputTokens + u.outputTokens, 0);
  return { workspacePath, wallMs, metrics: { ...runtimeMetrics }, codingTokens: tokens('CODING'), verificationTokens: tokens('VERIFICATION') };
}

async function main() {
  const database = await createBenchDatabase();
  const db = createPrismaClient(database.url);
  const redis = createRedis();
  const model = await startScriptedAnthropic();
  Object.assign(process.env, model.env());
  resetModelClient();
  const generations = mkdtempSync(join(tmpdir(), 'shipyard-bench-verify-'));
  try {
    const commandOnly = await oneRun(db, redis, model, generations, false);
    // Baseline: the same command, same workspace (all features implemented), through a fresh sandbox runner.
    const direct: number[] = [];
    for (let i = 0; i < BASELINE_RUNS; i++) {
      const runner = sandboxProvider().open(commandOnly.workspacePath);
      const t = performance.now();
      const result = await runner.run('node --test', { timeoutMs: 120_000, maxOutputBytes: 200_000, signal: new AbortController().signal });
      direct.push(performance.now() - t);
      await runner.close();
      if (result.exitCode !== 0) throw new Error(`baseline command failed: ${result.output}`);
    }
    direct.sort((a, b) => a - b);
    const baselineMs = direct[Math.floor(direct.length / 2)]!;
    const m = commandOnly.metrics;
    const perFeature = (ms: number) => ms / FEATURES;
    const platformMs = perFeature(m.verificationMs - m.verificationCommandWallMs);
    console.log(`verification per feature (${FEATURES} features, verify: node --test, verifier off):`);
    console.log(`  wall of verification        ${fmt(perFeature(m.verificationMs), 1)} ms`);
    console.log(`  the command (its runner)    ${fmt(perFeature(m.verificationCommandMs), 1)} ms, with its sandbox's start ${fmt(perFeature(m.verificationCommandWallMs), 1)} ms`);
    console.log(`  platform time               ${fmt(platformMs, 1)} ms   (goal <= 200 ms)  ${platformMs <= 200 ? 'OK' : 'OVER'}`);
    console.log(`  baseline: the command run directly through a fresh sandbox runner, median of ${BASELINE_RUNS}: ${fmt(baselineMs, 1)} ms`);
    console.log(`  verification wall / (baseline + 200 ms) = ${fmt(perFeature(m.verificationMs) / (baselineMs + 200))}  (goal <= 1)`);
    console.log(`  whole run: ${fmt(commandOnly.wallMs, 0)} ms, of which verification ${fmt((100 * m.verificationMs) / commandOnly.wallMs, 1)}%`);

    const withVerifier = await oneRun(db, redis, model, generations, true);
    const v = withVerifier.metrics;
    console.log(`with the verifier session (one scripted verdict turn, zero-latency model):`);
    console.log(`  wall of verification        ${fmt(perFeature(v.verificationMs), 1)} ms per feature (verifier session ${fmt(perFeature(v.verifierMs), 1)} ms)`);
    console.log(
      `  tokens per feature: coding ${fmt(withVerifier.codingTokens / FEATURES, 0)}, verification ${fmt(withVerifier.verificationTokens / FEATURES, 0)} ` +
        `(overhead ${fmt((100 * withVerifier.verificationTokens) / Math.max(1, withVerifier.codingTokens), 1)}% of the coding tokens)`,
    );
  } finally {
    await model.close();
    await db.$disconnect();
    redis.disconnect();
    await database.drop();
    rmSync(generations, { recursive: true, force: true });
  }
}

await main();
process.exit(0);

// Verifies what a coding session claimed, when it ends. A claim (a feature flipped to passing in feature_list.json)
// is accepted only when the work is committed, the project's verification command passes on that commit (run through
// the same command runner as the agent's run_tests, so the same sandbox and allowlist), and, when enabled, an
// independent verifier session answers "pass". Every check is a TestResult row and a TEST event linked to the
// feature; every decision a FeatureVerification row and a FEATURE event with the evidence. Features that passed
// before and whose own verification command now fails become regressions (only the platform sets passes back).
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { boundText, type EventSink } from '../../src/events/types.js';
import { FEATURE_LIST_FILE } from '../../src/features/feature-list.js';
import { executeTool, type TestRun, type ToolContext } from '../tools/index.js';
import { git, readHead, uncommittedChanges } from '../workspace.js';
import type { FeatureGuard } from './feature-guard.js';
import { runtimeMetrics } from './metrics.js';
import { ModelCallError } from './model-client.js';
import { recordTestRun } from './records.js';
import type { BudgetState, SessionAgent } from './session.js';
import { runVerifier, type Verdict } from './verifier.js';

const PROJECT_FILE = 'shipyard.json';
/** Files the agent may leave uncommitted when it claims a feature (the claim itself and its notes). */
const CLAIM_FILES = new Set([FEATURE_LIST_FILE, 'claude-progress.txt']);

const projectFile = z.object({
  verify: z.string().trim().min(1).max(2_000).optional(),
  /** Per-feature commands by feature index; used instead of `verify` for that feature, and to find regressions. */
  features: z.record(z.string().regex(/^\d+$/), z.string().trim().min(1).max(2_000)).optional(),
});
type ProjectFile = z.infer<typeof projectFile>;

export interface VerificationInput {
  db: PrismaClient;
  events: EventSink;
  runId: string;
  projectId: string;
  root: string;
  signal: AbortSignal;
  guard: FeatureGuard;
  client: Anthropic;
  /** The coding agent: its command allowlist applies to the verification command. */
  toolCtx: ToolContext;
  /** null: the verifier session is disabled for the project. */
  verifier: SessionAgent | null;
  verifyCommandOverride: string | null;
  budget: BudgetState;
  /** HEAD when the session started: regressions are looked for only when it moved. */
  headBefore: string | null;
}

export interface VerificationOutcome {
  accepted: number[];
  rejected: Array<{ index: number; reason: string }>;
  regressions: number[];
  /** A rate limit outlasting the wait budget stopped the verifier: these claims stay pending until the run resumes. */
  parked?: { resumeAt: Date; message: string; code?: string; pending: number[] };
}

/** Reads shipyard.json as committed (never the working copy: the claim is about the committed state). */
async function readProjectFile(root: string): Promise<{ config: ProjectFile; problem?: string }> {
  const { stdout, code } = await git(root, ['show', `HEAD:${PROJECT_FILE}`], { allowFailure: true });
  if (code !== 0) return { config: {} };
  try {
    const parsed = projectFile.safeParse(JSON.parse(stdout));
    return parsed.success ? { config: parsed.data } : { config: {}, problem: `${PROJECT_FILE} is not valid: ${parsed.error.issues[0]?.message}` };
  } catch {
    return { config: {}, problem: `${PROJECT_FILE} is not valid JSON` };
  }
}

export async function verifySession(input: VerificationInput): Promise<VerificationOutcome> {
  const started = performance.now();
  try {
    return await verify(input);
  } finally {
    runtimeMetrics.verificationMs += performance.now() - started;
  }
}

async function verify(input: VerificationInput): Promise<VerificationOutcome> {
  const { guard, root, db, events } = input;
  const outcome: VerificationOutcome = { accepted: [], rejected: [], regressions: [] };
  const claims = guard.pendingClaims();
  const sha = readHead(root);
  const headMoved = sha !== null && sha !== input.headBefore;
  if (!claims.length && !headMoved) return outcome;

  // Independent reads side by side (two git processes and a query): this is the platform's share of the wall time.
  const [features, { config, problem }, changes] = await Promise.all([
    db.feature.findMany({ where: { projectId: input.projectId }, orderBy: { index: 'asc' } }),
    readProjectFile(root),
    claims.length ? uncommittedChanges(root) : Promise.resolve([]),
  ]);
  const byIndex = new Map(features.map((f) => [f.index, f]));
  const commandFor = (index: number) => config.features?.[String(index)] ?? input.verifyCommandOverride ?? config.verify ?? null;
  const runs = new Map<string, TestRun>(); // one run per distinct command on this commit

  const runCommand = async (command: string): Promise<TestRun> => {
    const cached = runs.get(command);
    if (cached) return cached;
    const wall = performance.now();
    const result = await executeTool('run_tests', { command }, input.toolCtx, ['run_tests']);
    runtimeMetrics.verificationCommandWallMs += performance.now() - wall;
    runtimeMetrics.verificationCommandMs += result.durationMs;
    const run: TestRun = result.test ?? { command, exitCode: null, passed: false, durationMs: result.durationMs, output: result.output };
    runs.set(command, run);
    return run;
  };

  // Regressions: passing features with their own command, re-checked when the session committed something.
  if (headMoved) {
    for (const feature of features) {
      const own = config.features?.[String(feature.index)];
      if (!feature.passes || !own) continue;
      const run = await runCommand(own);
      await recordTestRun(db, events, input.projectId, input.runId, run, { kind: 'VERIFICATION', feature, sha });
      if (run.passed) continue;
      outcome.regressions.push(feature.index);
      const reason = `its verification command \`${own}\` now fails (exit ${run.exitCode ?? 'none'}) on commit ${sha!.slice(0, 12)}`;
      await record(input, feature, { sha, accepted: false, reason: `Regression: ${reason}`, command: own, commandPassed: false, verdict: null });
      await db.feature.update({ where: { id: feature.id }, data: { regression: true } });
    }
    await guard.markFailing(outcome.regressions);
    for (const index of outcome.regressions) {
      events.emit({
        type: 'FEATURE',
        payload: { index, description: boundText(byIndex.get(index)!.description).text, passes: false, regression: true },
      });
    }
  }
  if (!claims.length) return outcome;

  const dirty = changes.map((line) => line.slice(3)).filter((path) => !CLAIM_FILES.has(path));
  for (const index of claims) {
    const feature = byIndex.get(index)!;
    const command = commandFor(index);
    const reasons: string[] = [];
    let commandPassed: boolean | null = null;
    let verdict: Verdict | null = null;
    if (dirty.length) {
      reasons.push(`the work is not committed (${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''}); verification runs on the committed state`);
    } else {
      if (command) {
        const run = await runCommand(command);
        commandPassed = run.passed;
        await recordTestRun(db, events, input.projectId, input.runId, run, { kind: 'VERIFICATION', feature, sha });
        if (!run.passed) reasons.push(`the verification command \`${command}\` failed (exit ${run.exitCode ?? 'none'})`);
      } else if (problem) {
        reasons.push(problem);
      }
      if (!reasons.length && input.verifier) {
        events.emit({ type: 'STATUS', payload: { status: 'RUNNING', message: `Verifier checking feature #${index}.` } });
        const started = performance.now();
        try {
          verdict = await runVerifier({ ...input, agent: input.verifier, feature, sha });
        } catch (error) {
          if (!(error instanceof ModelCallError && error.resumeAt) || input.signal.aborted) throw error;
          outcome.parked = { resumeAt: error.resumeAt, message: error.message, code: error.code, pending: claims.slice(claims.indexOf(index)) };
          break;
        }
        runtimeMetrics.verifierMs += performance.now() - started;
        await recordTestRun(
          db,
          events,
          input.projectId,
          input.runId,
          {
            command: `verifier: ${verdict.commands.join(' ; ') || '(no commands)'}`,
            exitCode: null,
            passed: verdict.verdict === 'pass',
            durationMs: performance.now() - started,
            output: verdict.output,
          },
          { kind: 'VERIFIER', feature, sha },
        );
        if (verdict.verdict !== 'pass') reasons.push(`the independent verifier found it does not work: ${boundText(verdict.output, 500).text}`);
      }
      if (!reasons.length && !command && !input.verifier) reasons.push(`nothing can verify it: declare a verification command in ${PROJECT_FILE} ({"verify": "npm test"}) or enable the verifier`);
    }
    const accepted = reasons.length === 0;
    const reason = accepted ? `Verified on commit ${sha?.slice(0, 12)}${command ? ` (\`${command}\` passed${verdict ? ', verifier: pass' : ''})` : verdict ? ' (verifier: pass)' : ''}.` : `Rejected: ${reasons.join('; ')}.`;
    await record(input, feature, { sha, accepted, reason, command, commandPassed, verdict });
    if (accepted) outcome.accepted.push(index);
    else outcome.rejected.push({ index, reason });
  }

  await guard.settleClaims(outcome.accepted, outcome.rejected.map((r) => r.index), outcome.parked?.pending);
  if (outcome.accepted.length) {
    await db.feature.updateMany({ where: { projectId: input.projectId, index: { in: outcome.accepted } }, data: { verifiedAt: new Date(), verifiedSha: sha, regression: false } });
  }
  return outcome;
}

async function record(
  input: VerificationInput,
  feature: { id: string; index: number; description: string },
  d: { sha: string | null; accepted: boolean; reason: string; command: string | null; commandPassed: boolean | null; verdict: Verdict | null },
): Promise<void> {
  await input.db.featureVerification.create({
    data: {
      featureId: feature.id,
      runId: input.runId,
      sha: d.sha,
      accepted: d.accepted,
      reason: boundText(d.reason, 4_000).text,
      command: d.command,
      commandPassed: d.commandPassed,
      verdict: d.verdict?.verdict ?? null,
      verdictCommands: d.verdict?.commands ?? [],
      verdictOutput: d.verdict ? boundText(d.verdict.output, 16_000).text : null,
    },
  });
  if (d.reason.startsWith('Regression')) return; // told by the regression FEATURE event
  input.events.emit({
    type: 'FEATURE',
    payload: {
      index: feature.index,
      description: boundText(feature.description).text,
      passes: d.accepted,
      verification: {
        accepted: d.accepted,
        reason: boundText(d.reason).text,
        sha: d.sha,
        command: d.command,
        commandPassed: d.commandPassed,
        verdict: d.verdict?.verdict ?? null,
      },
    },
  });
}

/** What the next session is told about the previous one's claims and about regressions. */
export function verificationNotes(outcome: VerificationOutcome): string[] {
  const notes: string[] = [];
  if (outcome.regressions.length) {
    notes.push(
      `Regression: feature${outcome.regressions.length > 1 ? 's' : ''} ${outcome.regressions.map((i) => `#${i}`).join(', ')} passed before but fail${outcome.regressions.length > 1 ? '' : 's'} verification now; the platform set them back to "passes": false. Fix them first, before any other feature.`,
    );
  }
  for (const r of outcome.rejected) notes.push(`The platform did not accept the claim that feature #${r.index} passes. ${r.reason} Its "passes" was reset to false.`);
  return notes;
}

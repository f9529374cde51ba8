// The agent runtime (AgentRuntime, contract.ts): a chain of sessions (initializer when feature_list.json is missing,
// then coding sessions) until every feature passes or a limit stops the run. Resumable after a crash: it continues
// after run.sessionsCompleted, restarts an interrupted session, and reports (and keeps) uncommitted leftovers.
import type Anthropic from '@anthropic-ai/sdk';
import { resolve } from 'node:path';
import { config } from '../../src/config/index.js';
import { isTransientDbError } from '../../src/db/transient.js';
import { workspacePathFor } from '../../src/projects/workspace-path.js';
import { boundText } from '../../src/events/types.js';
import { Prisma, type AgentRun } from '../../src/generated/prisma/client.js';
import { sandboxProvider } from '../sandbox/provider.js';
import type { CommandRunner } from '../sandbox/runner.js';
import { ensureWorkspace, uncommittedChanges } from '../workspace.js';
import type { AgentRuntime, RunOutcome } from './contract.js';
import { FeatureGuard } from './feature-guard.js';
import { createModelClient, hasModelCredentials, isAbort, MISSING_CREDENTIALS, ModelCallError } from './model-client.js';
import { CommitTracker } from './records.js';
import { toCheckpoint, toParkedVerification } from './run-control.js';
import { BUDGET_NAMES, effectiveBudget } from '../../src/agent-config/budgets.js';
import { runSession, type BudgetState, type SessionKind, type SessionResult } from './session.js';
import { chooseAgents } from './agent-choice.js';
import { checkSessionClaims } from './claims-check.js';
import { readHead } from '../workspace.js';
import { readRunSnapshot } from '../../src/runs/snapshot.js';

const noProgressLimit = () => config().agent.noProgressSessions;

/** What the runtime reads of its run before each session: what sessions, people and limits change. */
const SESSION_STATE = { stopRequested: true, pauseRequested: true, sessionsCompleted: true, sessionsWithoutProgress: true, costUsd: true, budgetUsd: true } as const;
type SessionState = Pick<AgentRun, keyof typeof SESSION_STATE>;

let sharedClient: Anthropic | undefined;
/** One client per process (connection reuse); tests and the bench set ANTHROPIC_BASE_URL before the first run. */
const modelClient = () => (sharedClient ??= createModelClient());
/** Drops the cached client so the next run reads ANTHROPIC_* again. */
export function resetModelClient(): void {
  sharedClient = undefined;
}

export const agentRuntime: AgentRuntime = async ({ runId, run: snapshot, db, events, signal, lease, onSessionEnd }) => {
  // Before any work: without credentials every model call would fail (after the SDK's retries).
  if (!hasModelCredentials()) return failed(events, MISSING_CREDENTIALS, 'MODEL_CREDENTIALS_MISSING');
  const run = snapshot ?? (await readRunSnapshot(db, runId));
  if (!run) return { status: 'FAILED', stopReason: null, error: `Run ${runId} does not exist.` };
  const { project } = run;
  const agents = chooseAgents(run.agent, await db.agent.findMany({ where: { projectId: project.id }, orderBy: { createdAt: 'asc' } }));
  if (!agents) return failed(events, 'The project has no agents: create an INITIALIZER and a CODING agent (or pick an agent for the run).');
  const { pinned: pinnedAgent, initializer: initializerAgent, coding: codingAgent, verifier: verifierAgent, limits: limitsAgent } = agents;

  const maxSessions = run.maxSessions ?? limitsAgent.maxSessions;
  const budget: BudgetState = { limitUsd: toNumber(run.budgetUsd ?? limitsAgent.budgetUsd), spentUsd: toNumber(run.costUsd) ?? 0 };
  const root = resolve(project.workspacePath || workspacePathFor(config().generationsDir, project.id));
  const sandbox = sandboxProvider().availability();
  if (sandbox.kind === 'unavailable') return failed(events, sandbox.reason, 'SANDBOX_UNAVAILABLE');
  // The current session's commands; closing it ends every process the session started.
  let commands: CommandRunner | null = null;
  const killLeftovers = () => {
    void commands?.close();
    commands = null;
  };
  signal.addEventListener('abort', killLeftovers, { once: true });

  try {
    const { created } = await ensureWorkspace(root, project.appSpec);
    if (created) events.emit({ type: 'STATUS', payload: { status: 'RUNNING', message: `Created the workspace git repository with app_spec.txt.` } });
    const guard = new FeatureGuard(root, db, project.id, events);
    const commits = new CommitTracker(root, db, project.id, runId, events);
    await commits.catchUp();
    let resumedRun = run.sessionsCompleted > 0;
    let notes: string[] = [];
    let budgetDetail: string | undefined;

    // The first session starts from the snapshot the processor read; later ones read what the sessions changed.
    let known: SessionState | null = snapshot ?? null;
    for (;;) {
      const state = known ?? (await db.agentRun.findUniqueOrThrow({ where: { id: runId }, select: SESSION_STATE }));
      known = null;
      if (signal.aborted || state.stopRequested) return { status: 'CANCELLED', stopReason: 'stop_requested' };
      if (state.pauseRequested) return { status: 'PAUSED', stopReason: 'user' };
      budget.spentUsd = toNumber(state.costUsd) ?? 0;
      // Read every session: updateAgentRun, updateProject or the user may have raised a budget while the run was paused.
      const effective = await effectiveBudget(db, { projectId: project.id, startedById: run.startedById, spentUsd: budget.spentUsd, runLimitUsd: toNumber(state.budgetUsd ?? limitsAgent.budgetUsd) });
      budget.limitUsd = effective.limitUsd;
      budgetDetail = effective.binding ? BUDGET_NAMES[effective.binding] : undefined;
      await guard.reconcile();
      // A person's waiting message asks for one more session even where a limit or success would end the run.
      const messageWaiting = (await db.runMessage.count({ where: { runId, deliveredAt: null } })) > 0;
      if (budget.limitUsd !== null && budget.spentUsd >= budget.limitUsd) return { status: 'PAUSED', stopReason: 'budget', detail: budgetDetail };
      if (!messageWaiting) {
        if (guard.allPassing) return { status: 'SUCCEEDED', stopReason: 'all_features_passing' };
        if (state.sessionsCompleted >= maxSessions) return { status: 'STOPPED', stopReason: 'max_sessions' };
        if (state.sessionsWithoutProgress >= noProgressLimit()) return { status: 'STOPPED', stopReason: 'no_progress' };
      }

      const number = state.sessionsCompleted + 1;
      const interrupted = await db.agentSession.findUnique({ where: { runId_number: { runId, number } } });
      const codingKind: SessionKind = codingAgent?.role === 'CUSTOM' ? 'CUSTOM' : 'CODING';
      const interruptedKind = interrupted && interrupted.kind !== 'VERIFIER' ? interrupted.kind : null;
      let kind: SessionKind = interruptedKind ?? (guard.features === null ? 'INITIALIZER' : codingKind);
      if (guard.features !== null && kind === 'INITIALIZER' && !interrupted) kind = 'CODING';
      if (pinnedAgent?.role === 'INITIALIZER' && guard.features !== null && !interrupted) {
        return { status: 'STOPPED', stopReason: number > 1 ? 'initialized' : 'already_initialized' };
      }
      const agent = kind === 'INITIALIZER' ? initializerAgent : codingAgent;
      if (!agent) {
        return failed(events, kind === 'INITIALIZER'
          ? 'feature_list.json is missing and the project has no INITIALIZER agent to write it.'
          : 'The project has no CODING agent to continue with.');
      }

      const sessionStartedAt = Date.now();
      const session = await db.agentSession.upsert({
        where: { runId_number: { runId, number } },
        create: { runId, number, kind },
        update: { finishedAt: null, stopReason: null },
      });
      const checkpoint = toCheckpoint(interrupted?.checkpoint);
      // A session parked while its claims were verified continues with the verification, not with another session.
      const parkedVerification = toParkedVerification(interrupted?.checkpoint);
      // The checkpoint is consumed: a crash later in the resumed session restarts it from its kickoff.
      if (checkpoint) await db.agentSession.update({ where: { id: session.id }, data: { checkpoint: Prisma.DbNull } });
      const leftovers = (interrupted || resumedRun) && !checkpoint && !parkedVerification ? await uncommittedChanges(root) : [];
      const restartNote = parkedVerification
        ? ' (resumed to verify its claims)'
        : checkpoint ? ' (resumed from its checkpoint)' : interrupted ? ' (restarted: the previous attempt was interrupted)' : '';
      const leftoverNote = leftovers.length ? `; ${leftovers.length} uncommitted change(s) from before were kept: ${leftovers.slice(0, 10).join(', ')}` : '';
      events.emit({
        type: 'STATUS',
        payload: { status: 'RUNNING', session: number, message: boundText(`Session ${number} (${kind.toLowerCase()}, agent "${agent.name}") started${restartNote}${leftoverNote}.`).text },
      });
      resumedRun = false;
      const headBefore = parkedVerification ? parkedVerification.headBefore : readHead(root);
      const target = kind === 'INITIALIZER' ? null : await db.feature.findFirst({ where: { projectId: project.id, passes: false }, orderBy: { index: 'asc' }, select: { id: true } });

      let result: SessionResult;
      if (parkedVerification) {
        result = { turns: parkedVerification.turns, stopReason: parkedVerification.stopReason, newlyPassing: parkedVerification.newlyPassing };
      } else {
        // The session's agent decides its network: none, or its allowlisted hosts through the egress proxy.
        commands = sandboxProvider().open(root, agent.network === 'ALLOWLIST' ? { network: { allowedHosts: agent.allowedHosts } } : {});
        try {
          result = await runSession({
            client: modelClient(),
            db,
            events,
            runId,
            projectId: project.id,
            sessionId: session.id,
            sessionNumber: number,
            kind,
            agent: { model: agent.model, systemPrompt: agent.systemPrompt, allowedTools: agent.allowedTools, allowedCommands: agent.allowedCommands, maxTurns: agent.maxTurns },
            root,
            signal,
            guard,
            commits,
            budget,
            restarted: !!interrupted,
            leftovers,
            commands,
            lease,
            checkpoint,
            notes,
            featureId: target?.id ?? null,
          });
        } finally {
          killLeftovers();
        }
      }
      if (result.stopReason === 'paused' || result.stopReason === 'budget' || result.stopReason === 'rate_limited') {
        await events.flush();
        const reason = result.stopReason === 'paused' ? 'user' : result.stopReason;
        return { status: 'PAUSED', stopReason: reason, resumeAt: result.resumeAt, detail: reason === 'budget' ? budgetDetail : undefined };
      }

      // The session's claims are verified before it is closed (a crash here verifies them after the restarted session).
      notes = [];
      if (kind !== 'INITIALIZER' && guard.features !== null) {
        const checked = await checkSessionClaims({
          db, events, runId, project, root, signal, guard, client: modelClient(), agent, verifierAgent, budget, headBefore,
          sessionId: session.id, result, parkedVerification,
          track: (runner) => (commands = runner),
          release: killLeftovers,
        });
        if ('parked' in checked) return checked.parked;
        notes = checked.notes;
      }
      // An initializer session progresses by producing a valid feature list; a coding session by a newly passing feature.
      const progressed = kind === 'INITIALIZER' ? guard.features !== null : result.newlyPassing > 0;
      await db.$transaction([
        db.agentSession.update({
          where: { id: session.id },
          data: { stopReason: result.stopReason, newlyPassing: { increment: result.newlyPassing }, finishedAt: new Date(), checkpoint: Prisma.DbNull },
        }),
        db.agentRun.update({
          where: { id: runId },
          data: {
            sessionsCompleted: number,
            sessionsWithoutProgress: progressed ? 0 : { increment: 1 },
          },
        }),
      ]);
      onSessionEnd?.({ number, kind, turns: result.turns, stopReason: result.stopReason, newlyPassing: result.newlyPassing, durationMs: Date.now() - sessionStartedAt });
      events.emit({
        type: 'STATUS',
        payload: {
          status: 'RUNNING',
          session: number,
          message: `Session ${number} finished after ${result.turns} turn(s) (${result.stopReason}); ${result.newlyPassing} feature(s) newly passing; cost so far $${budget.spentUsd.toFixed(4)}.`,
        },
      });
      await events.flush();
    }
  } catch (error) {
    if (isAbort(error, signal)) return { status: 'CANCELLED', stopReason: 'stop_requested' };
    // Not the run's fault: the processor resumes it once Postgres is back. A model error is never one, though its
    // text may name the same socket errors (ECONNREFUSED to the model's endpoint).
    if (!(error instanceof ModelCallError) && isTransientDbError(error)) throw error;
    const reason = error instanceof ModelCallError ? error.message : `Agent runtime error: ${(error as Error)?.message ?? String(error)}`;
    return failed(events, reason, error instanceof ModelCallError ? error.code : 'RUNTIME_ERROR');
  } finally {
    signal.removeEventListener('abort', killLeftovers);
    killLeftovers();
    await events.flush().catch(() => undefined);
  }
};

function failed(events: Parameters<AgentRuntime>[0]['events'], reason: string, code?: string): RunOutcome {
  try {
    events.emit({ type: 'ERROR', payload: { message: boundText(reason).text, code, retryable: false } });
  } catch {
    /* the sink itself failed; the outcome still carries the reason */
  }
  return { status: 'FAILED', stopReason: null, error: reason };
}

function toNumber(value: { toString(): string } | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value.toString());
  return Number.isFinite(n) ? n : null;
}

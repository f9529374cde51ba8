// The run spine's entry into the agent runtime: a chain of sessions (initializer when feature_list.json is missing,
// then coding sessions) until every feature passes or a limit stops the run. Resumable after a crash: it continues
// after run.sessionsCompleted, restarts an interrupted session, and reports (and keeps) uncommitted leftovers.
import type Anthropic from '@anthropic-ai/sdk';
import { resolve } from 'node:path';
import { config } from '../../src/config/index.js';
import { isTransientDbError } from '../../src/db/transient.js';
import { workspacePathFor } from '../../src/projects/workspace-path.js';
import { boundText } from '../../src/events/types.js';
import type { Agent } from '../../src/generated/prisma/client.js';
import { sandboxProvider } from '../sandbox/provider.js';
import type { CommandRunner } from '../sandbox/runner.js';
import { ensureWorkspace, uncommittedChanges } from '../workspace.js';
import type { RunAgent, RunOutcome } from './contract.js';
import { FeatureGuard } from './feature-guard.js';
import { createModelClient, hasModelCredentials, isAbort, MISSING_CREDENTIALS, ModelCallError } from './model-client.js';
import { CommitTracker } from './records.js';
import { runSession, type BudgetState, type SessionKind } from './session.js';

const noProgressLimit = () => config().agent.noProgressSessions;

let sharedClient: Anthropic | undefined;
/** One client per process (connection reuse); tests and the bench set ANTHROPIC_BASE_URL before the first run. */
const modelClient = () => (sharedClient ??= createModelClient());
/** Drops the cached client so the next run reads ANTHROPIC_* again. */
export function resetModelClient(): void {
  sharedClient = undefined;
}

export const runAgent: RunAgent = async ({ runId, db, events, signal, lease, onSessionEnd }) => {
  // Before any work: without credentials every model call would fail (after the SDK's retries).
  if (!hasModelCredentials()) return failed(events, MISSING_CREDENTIALS, 'MODEL_CREDENTIALS_MISSING');
  const run = await db.agentRun.findUnique({ where: { id: runId }, include: { project: true, agent: true } });
  if (!run) return { status: 'FAILED', stopReason: null, error: `Run ${runId} does not exist.` };
  const { project } = run;
  const agents = await db.agent.findMany({ where: { projectId: project.id }, orderBy: { createdAt: 'asc' } });
  const byRole = (role: Agent['role']) => agents.find((a) => a.role === role) ?? null;
  const runAgentRow = run.agent;
  const initializerAgent = runAgentRow?.role === 'INITIALIZER' ? runAgentRow : byRole('INITIALIZER');
  const codingAgent = runAgentRow && runAgentRow.role !== 'INITIALIZER' ? runAgentRow : byRole('CODING');
  const limitsAgent = runAgentRow ?? codingAgent ?? initializerAgent;
  if (!limitsAgent) return failed(events, 'The project has no agents: create an INITIALIZER and a CODING agent (or pick an agent for the run).');

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

    for (;;) {
      const state = await db.agentRun.findUniqueOrThrow({
        where: { id: runId },
        select: { stopRequested: true, sessionsCompleted: true, sessionsWithoutProgress: true, costUsd: true },
      });
      if (signal.aborted || state.stopRequested) return { status: 'CANCELLED', stopReason: 'stop_requested' };
      budget.spentUsd = toNumber(state.costUsd) ?? 0;
      await guard.reconcile();
      if (guard.allPassing) return { status: 'SUCCEEDED', stopReason: 'all_features_passing' };
      if (budget.limitUsd !== null && budget.spentUsd >= budget.limitUsd) return { status: 'STOPPED', stopReason: 'budget' };
      if (state.sessionsCompleted >= maxSessions) return { status: 'STOPPED', stopReason: 'max_sessions' };
      if (state.sessionsWithoutProgress >= noProgressLimit()) return { status: 'STOPPED', stopReason: 'no_progress' };

      const number = state.sessionsCompleted + 1;
      const interrupted = await db.agentSession.findUnique({ where: { runId_number: { runId, number } } });
      let kind: SessionKind = interrupted?.kind ?? (guard.features === null ? 'INITIALIZER' : (codingAgent?.role ?? 'CODING'));
      if (guard.features !== null && kind === 'INITIALIZER' && !interrupted) kind = 'CODING';
      if (runAgentRow?.role === 'INITIALIZER' && guard.features !== null && !interrupted) {
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
      const leftovers = interrupted || resumedRun ? await uncommittedChanges(root) : [];
      const restartNote = interrupted ? ' (restarted: the previous attempt was interrupted)' : '';
      const leftoverNote = leftovers.length ? `; ${leftovers.length} uncommitted change(s) from before were kept: ${leftovers.slice(0, 10).join(', ')}` : '';
      events.emit({
        type: 'STATUS',
        payload: { status: 'RUNNING', session: number, message: boundText(`Session ${number} (${kind.toLowerCase()}, agent "${agent.name}") started${restartNote}${leftoverNote}.`).text },
      });
      resumedRun = false;

      let result;
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
        });
      } finally {
        killLeftovers();
      }

      // An initializer session progresses by producing a valid feature list; a coding session by a newly passing feature.
      const progressed = kind === 'INITIALIZER' ? guard.features !== null : result.newlyPassing > 0;
      await db.$transaction([
        db.agentSession.update({
          where: { id: session.id },
          data: { stopReason: result.stopReason, newlyPassing: { increment: result.newlyPassing }, finishedAt: new Date() },
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
      if (result.stopReason === 'budget') {
        await guard.reconcile();
        if (guard.allPassing) return { status: 'SUCCEEDED', stopReason: 'all_features_passing' };
        return { status: 'STOPPED', stopReason: 'budget' };
      }
    }
  } catch (error) {
    if (isAbort(error, signal)) return { status: 'CANCELLED', stopReason: 'stop_requested' };
    if (isTransientDbError(error)) throw error; // not the run's fault: the processor resumes it once Postgres is back
    const reason = error instanceof ModelCallError ? error.message : `Agent runtime error: ${(error as Error)?.message ?? String(error)}`;
    return failed(events, reason, error instanceof ModelCallError ? error.code : 'RUNTIME_ERROR');
  } finally {
    signal.removeEventListener('abort', killLeftovers);
    killLeftovers();
    await events.flush().catch(() => undefined);
  }
};

function failed(events: Parameters<RunAgent>[0]['events'], reason: string, code?: string): RunOutcome {
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

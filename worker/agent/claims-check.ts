// After a coding session: its claimed feature flips are verified (verification.ts) before the session is closed, in
// a fresh sandbox session so nothing the coder left running takes part. A rate limit during the check parks it on the
// session row (the run pauses; the check continues when the run resumes).
import type Anthropic from '@anthropic-ai/sdk';
import type { Agent, PrismaClient, Project } from '../../src/generated/prisma/client.js';
import { config } from '../../src/config/index.js';
import { boundText, type EventSink } from '../../src/events/types.js';
import { sandboxProvider } from '../sandbox/provider.js';
import type { CommandRunner } from '../sandbox/runner.js';
import { readHead } from '../workspace.js';
import type { RunOutcome } from './contract.js';
import type { FeatureGuard } from './feature-guard.js';
import type { ParkedVerification } from './run-control.js';
import { verifierFor } from './agent-choice.js';
import type { BudgetState, SessionResult } from './session.js';
import { verificationNotes, verifySession } from './verification.js';

export interface ClaimsCheckInput {
  db: PrismaClient;
  events: EventSink;
  runId: string;
  project: Project;
  root: string;
  signal: AbortSignal;
  guard: FeatureGuard;
  client: Anthropic;
  /** The session's agent, and the project's VERIFIER agent if it has one. */
  agent: Agent;
  verifierAgent: Agent | null;
  budget: BudgetState;
  headBefore: string | null;
  sessionId: string;
  /** The session's result: newlyPassing grows by the accepted claims. */
  result: SessionResult;
  /** The check parked by an earlier attempt of this session, continued now. */
  parkedVerification: ParkedVerification | null;
  /** The runtime kills the commands of `runner` on abort, and once the check is over. */
  track(runner: CommandRunner): void;
  release(): void;
}

/** Notes for the next session, or the outcome that parks the run. */
export async function checkSessionClaims(input: ClaimsCheckInput): Promise<{ notes: string[] } | { parked: RunOutcome }> {
  const { db, events, root, signal, agent, result, parkedVerification } = input;
  const commands = sandboxProvider().open(root);
  input.track(commands);
  let verified;
  try {
    verified = await verifySession({
      db,
      events,
      runId: input.runId,
      projectId: input.project.id,
      root,
      signal,
      guard: input.guard,
      client: input.client,
      toolCtx: {
        root,
        allowedCommands: agent.allowedCommands,
        signal,
        commands,
        timeoutMs: config().agent.commandTimeoutMs,
        maxOutputBytes: config().agent.commandOutputBytes,
      },
      verifier: input.project.verifierEnabled ? verifierFor(input.verifierAgent, agent) : null,
      verifyCommandOverride: input.project.verifyCommand,
      budget: input.budget,
      headBefore: input.headBefore,
    });
  } finally {
    input.release();
  }
  result.newlyPassing += verified.accepted.length;
  if (parkedVerification) {
    verified.rejected.unshift(...parkedVerification.rejected);
    verified.regressions.unshift(...parkedVerification.regressions);
  }
  if (verified.parked) {
    const parked: ParkedVerification = {
      headBefore: readHead(root),
      turns: result.turns,
      stopReason: result.stopReason === 'max_turns' || result.stopReason === 'refusal' ? result.stopReason : 'end_turn',
      newlyPassing: result.newlyPassing,
      rejected: verified.rejected,
      regressions: verified.regressions,
    };
    await db.agentSession.update({ where: { id: input.sessionId }, data: { checkpoint: { verification: JSON.parse(JSON.stringify(parked)) } } });
    const pending = verified.parked.pending.map((i) => `#${i}`).join(', ');
    events.emit({
      type: 'ERROR',
      payload: { message: boundText(`${verified.parked.message}; verifying feature(s) ${pending} continues when the run resumes.`).text, code: verified.parked.code, retryable: true },
    });
    await events.flush();
    return { parked: { status: 'PAUSED', stopReason: 'rate_limited', resumeAt: verified.parked.resumeAt } };
  }
  const notes = verificationNotes(verified);
  await events.flush();
  return { notes };
}

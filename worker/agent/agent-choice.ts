// Which of the project's agents a run uses for each kind of session. A run may be pinned to one agent (started with
// agentId); otherwise the project's agent of each role. The limits (sessions, budget) come from the pinned agent, else
// the coding one, else the initializer.
import type { Agent } from '../../src/generated/prisma/client.js';
import { VERIFIER_PROMPT } from '../../src/agent-config/prompts.js';
import type { SessionAgent } from './session.js';

export interface AgentChoice {
  /** The agent the run was started with, if any. */
  pinned: Agent | null;
  initializer: Agent | null;
  coding: Agent | null;
  verifier: Agent | null;
  limits: Agent;
}

/** Null when the project has no agent the run could use. */
export function chooseAgents(pinned: Agent | null, projectAgents: Agent[]): AgentChoice | null {
  const byRole = (role: Agent['role']) => projectAgents.find((a) => a.role === role) ?? null;
  const initializer = pinned?.role === 'INITIALIZER' ? pinned : byRole('INITIALIZER');
  const coding = pinned && (pinned.role === 'CODING' || pinned.role === 'CUSTOM') ? pinned : byRole('CODING');
  const limits = pinned ?? coding ?? initializer;
  return limits ? { pinned, initializer, coding, verifier: byRole('VERIFIER'), limits } : null;
}

/** The project's VERIFIER agent, or one derived from the coding agent (its model and allowlist, the verifier prompt). */
export function verifierFor(verifier: Agent | null, coder: Agent): SessionAgent {
  const from = verifier ?? coder;
  return {
    model: from.model,
    systemPrompt: verifier?.systemPrompt || VERIFIER_PROMPT,
    allowedTools: [],
    allowedCommands: from.allowedCommands,
    maxTurns: verifier?.maxTurns ?? 30,
  };
}

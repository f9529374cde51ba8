// What people ask of a running run between turns, as the agent sees it: their messages, and the checkpoints a pause
// leaves. The run's flags and waiting messages are read with one prepared statement per turn (src/db/sql/runs.ts);
// messages are taken only when one waits.
import type Anthropic from '@anthropic-ai/sdk';
import type { DeliveredMessage } from '../../src/db/sql/runs.js';

/** The text the agent reads for a person's message. */
export function messageBlock(message: DeliveredMessage): Anthropic.TextBlockParam {
  const who = message.authorName ? `${message.authorName} (a member of this project)` : 'A member of this project';
  return { type: 'text', text: `[Message from ${who}, sent through Shipyard while you work]\n${message.text}` };
}

/** The conversation of a session paused mid-way, stored on its AgentSession row. */
export interface SessionCheckpoint {
  messages: Anthropic.MessageParam[];
  turns: number;
}

export function toCheckpoint(value: unknown): SessionCheckpoint | null {
  if (!value || typeof value !== 'object') return null;
  const { messages, turns } = value as { messages?: unknown; turns?: unknown };
  if (!Array.isArray(messages) || typeof turns !== 'number') return null;
  const valid = messages.every((m) => m && typeof m === 'object' && (m.role === 'user' || m.role === 'assistant') && (typeof m.content === 'string' || Array.isArray(m.content)));
  return valid && messages.length > 0 ? { messages: messages as Anthropic.MessageParam[], turns } : null;
}

/**
 * A session whose claims were being verified when a rate limit parked the run: on resume the verification continues
 * (the session itself is not run again). Stored on the AgentSession row in place of a conversation checkpoint.
 */
export interface ParkedVerification {
  /** HEAD when the verification was parked: regressions were already checked against it. */
  headBefore: string | null;
  turns: number;
  stopReason: 'end_turn' | 'max_turns' | 'refusal';
  /** Including the claims accepted before the park. */
  newlyPassing: number;
  rejected: Array<{ index: number; reason: string }>;
  regressions: number[];
}

const STOP_REASONS: ReadonlySet<string> = new Set(['end_turn', 'max_turns', 'refusal']);

export function toParkedVerification(value: unknown): ParkedVerification | null {
  if (!value || typeof value !== 'object') return null;
  const v = (value as { verification?: unknown }).verification;
  if (!v || typeof v !== 'object') return null;
  const { headBefore, turns, stopReason, newlyPassing, rejected, regressions } = v as Record<string, unknown>;
  const ok =
    (headBefore === null || typeof headBefore === 'string') &&
    typeof turns === 'number' &&
    typeof stopReason === 'string' && STOP_REASONS.has(stopReason) &&
    typeof newlyPassing === 'number' &&
    Array.isArray(rejected) && rejected.every((r) => r && typeof r.index === 'number' && typeof r.reason === 'string') &&
    Array.isArray(regressions) && regressions.every((i) => typeof i === 'number');
  return ok ? ({ headBefore, turns, stopReason, newlyPassing, rejected, regressions } as ParkedVerification) : null;
}

// What people ask of a running run between turns: a pause, and messages to deliver before the next model call.
// Read with one prepared statement per turn (the flags and whether any message waits); messages are taken only then.
import type Anthropic from '@anthropic-ai/sdk';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { pgPool } from '../../src/db/client.js';

export interface RunControl {
  pauseRequested: boolean;
  messagesWaiting: boolean;
}

export interface DeliveredMessage {
  text: string;
  authorId: string | null;
  authorName: string | null;
}

export async function readRunControl(db: PrismaClient, runId: string): Promise<RunControl> {
  const { rows } = await pgPool(db).query<{ pauseRequested: boolean; messagesWaiting: boolean }>({
    name: 'shipyard_run_control',
    text: `SELECT r."pauseRequested",
        EXISTS (SELECT 1 FROM "RunMessage" m WHERE m."runId" = r."id" AND m."deliveredAt" IS NULL) AS "messagesWaiting"
      FROM "AgentRun" r WHERE r."id" = $1::uuid`,
    values: [runId],
  });
  return rows[0] ?? { pauseRequested: false, messagesWaiting: false };
}

/** Marks the run's waiting messages delivered and returns them, oldest first. */
export async function takeMessages(db: PrismaClient, runId: string): Promise<DeliveredMessage[]> {
  const { rows } = await pgPool(db).query<DeliveredMessage & { createdAt: Date }>({
    name: 'shipyard_take_messages',
    text: `WITH taken AS (
        UPDATE "RunMessage" SET "deliveredAt" = now() WHERE "runId" = $1::uuid AND "deliveredAt" IS NULL
        RETURNING "text", "authorId", "createdAt"
      )
      SELECT t."text", t."authorId", u."name" AS "authorName", t."createdAt" FROM taken t LEFT JOIN "User" u ON u."id" = t."authorId"
      ORDER BY t."createdAt" ASC`,
    values: [runId],
  });
  return rows.map(({ text, authorId, authorName }) => ({ text, authorId, authorName }));
}

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

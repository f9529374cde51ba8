// src/events/: the domain event model, shared by the API and the worker. It owns the event types and payload schemas
// (this file), sequencing and persist-then-publish (sink.ts), publish.ts, replay.ts and the Redis fan-out (hub.ts).
// It may import only other domain modules, config, logging and src/db/; never src/subscriptions/, src/transport/,
// src/schema/ or src/rest/ (the worker imports this folder and nothing above it).
//
// This file: the one event model shared by api and worker: types, payload schemas and the wire shape published on Redis.
import { z } from 'zod';

export const EVENT_TYPES = ['STATUS', 'TOOL_CALL', 'TOOL_RESULT', 'FEATURE', 'COMMIT', 'TEST', 'ERROR', 'COMPLETE', 'TEXT', 'USER_MESSAGE'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'INTERRUPTED', 'SUCCEEDED', 'STOPPED', 'FAILED', 'CANCELLED', 'PAUSED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'STOPPED', 'FAILED', 'CANCELLED'];

/** Payload caps keep one event (and so one Redis message and one row) bounded whatever a tool printed. */
export const MAX_TEXT_CHARS = 16_000;
const boundedText = z.string().max(MAX_TEXT_CHARS);

export const payloadSchemas = {
  STATUS: z.object({
    status: z.enum(RUN_STATUSES),
    message: boundedText.optional(),
    session: z.number().int().optional(),
    /** PAUSED only: user | budget | rate_limited, and when a rate-limited run resumes by itself. */
    reason: z.string().optional(),
    resumeAt: z.string().optional(),
  }),
  TOOL_CALL: z.object({ toolUseId: z.string(), name: z.string(), input: z.unknown(), session: z.number().int().optional() }),
  TOOL_RESULT: z.object({
    toolUseId: z.string(),
    name: z.string(),
    isError: z.boolean(),
    output: boundedText,
    truncated: z.boolean().optional(),
    durationMs: z.number().optional(),
  }),
  FEATURE: z.object({
    index: z.number().int(),
    description: boundedText,
    passes: z.boolean(),
    /** Set when the platform verified a claimed flip: accepted or rejected, why, on which commit. */
    verification: z
      .object({
        accepted: z.boolean(),
        reason: boundedText,
        sha: z.string().nullable(),
        command: z.string().nullable(),
        commandPassed: z.boolean().nullable(),
        verdict: z.enum(['pass', 'fail']).nullable(),
      })
      .optional(),
    regression: z.boolean().optional(),
  }),
  COMMIT: z.object({ sha: z.string(), message: boundedText, filesChanged: z.array(z.string()) }),
  TEST: z.object({
    command: boundedText,
    exitCode: z.number().int().nullable(),
    passed: z.boolean(),
    durationMs: z.number(),
    outputTail: boundedText,
    /** AGENT (default): a command an agent ran; VERIFICATION: the verification command; VERIFIER: a verifier's verdict. */
    kind: z.enum(['AGENT', 'VERIFICATION', 'VERIFIER']).optional(),
    featureIndex: z.number().int().optional(),
  }),
  ERROR: z.object({ message: boundedText, code: z.string().optional(), retryable: z.boolean().optional() }),
  COMPLETE: z.object({ status: z.enum(RUN_STATUSES), stopReason: z.string().nullable().optional(), costUsd: z.number().optional() }),
  TEXT: z.object({ text: boundedText, session: z.number().int().optional() }),
  USER_MESSAGE: z.object({ text: boundedText, authorId: z.string().nullable(), authorName: z.string().nullable(), session: z.number().int().optional() }),
} satisfies Record<EventType, z.ZodType>;

type EventPayload<T extends EventType> = z.infer<(typeof payloadSchemas)[T]>;

/** What a producer hands to the event module. */
export type NewEvent = { [T in EventType]: { type: T; payload: EventPayload<T> } }[EventType];

/** A persisted event, as stored, published and delivered to subscribers. */
export interface RunEvent {
  runId: string;
  projectId: string;
  seq: number;
  type: EventType;
  payload: unknown;
  createdAt: string;
}

/** Validates a producer's event at the boundary; throws a ZodError naming the bad field. */
export function parseNewEvent(event: NewEvent): NewEvent {
  const schema = payloadSchemas[event.type] as z.ZodType;
  return { type: event.type, payload: schema.parse(event.payload) } as NewEvent;
}

/** Truncates long text to the cap, keeping the tail (where errors usually are). */
export function boundText(text: string, max = MAX_TEXT_CHARS): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  const marker = `…[${text.length - max + 40} chars truncated]…\n`;
  return { text: marker + text.slice(text.length - (max - marker.length)), truncated: true };
}

export const runChannel = (runId: string) => `shipyard:run:${runId}`;
export const projectChannel = (projectId: string) => `shipyard:project:${projectId}`;

/**
 * Where producers (the worker's agent loop) send events. `emit` assigns the next seq and queues the event;
 * batches are persisted (many rows per INSERT) and only then published. `flush` resolves once everything
 * emitted so far is durable and published (call it on every status change and before finishing).
 */
export interface EventSink {
  emit(event: NewEvent): void;
  flush(): Promise<void>;
}

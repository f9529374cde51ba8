// Publishing durable events on Redis (run channel + project channel), best effort and bounded in time.
// All events of one publish belong to one run (a sink batch).
import type { Redis } from 'ioredis';
import { projectChannel, runChannel, type RunEvent } from './types.js';
import { logger } from '../logger.js';

/** A publish that Redis does not acknowledge in this time is given up: the events are already in Postgres. */
const PUBLISH_TIMEOUT_MS = 2000;

/** One message per channel per batch (a JSON array of events): two PUBLISHes however many events a batch holds. */
export async function publishEvents(redis: Redis, events: RunEvent[]): Promise<void> {
  if (!events.length) return;
  const message = JSON.stringify(events);
  const pipeline = redis.pipeline();
  pipeline.publish(runChannel(events[0]!.runId), message);
  pipeline.publish(projectChannel(events[0]!.projectId), message);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pipeline.exec(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PUBLISH_TIMEOUT_MS} ms`)), PUBLISH_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    logger.warn({ err: error, runId: events[0]!.runId, fromSeq: events[0]!.seq }, 'publishing events on Redis failed; subscribers will read them from Postgres');
  } finally {
    clearTimeout(timer);
  }
}

/** Parses a message published by publishEvents; [] when it is not one. */
export function parseEventMessage(message: string): RunEvent[] {
  try {
    return eventsOfMessage(JSON.parse(message));
  } catch {
    return [];
  }
}

/** The events of an already parsed message; [] when it is not one. */
export function eventsOfMessage(parsed: unknown): RunEvent[] {
  const events: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  return events.filter(isRunEvent);
}

function isRunEvent(value: unknown): value is RunEvent {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { runId?: unknown; seq?: unknown };
  return typeof candidate.runId === 'string' && Number.isInteger(candidate.seq);
}

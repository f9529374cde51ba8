// Follows a run's events over the server's SSE stream (GET /api/agent-runs/:id/stream) until its `complete` event,
// reconnecting with the last seq it saw (Last-Event-ID) whenever the connection drops, so every event arrives once.
import { request, unreachable, type Session } from './api.js';
import { CliError, EXIT, notSignedIn, usageError } from './errors.js';
import { sseFrames } from './sse-frames.js';

export interface RunEvent {
  runId: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

/** How long the server may stay unreachable while following before the CLI gives up (exit 4). */
const GIVE_UP_AFTER_MS = Number(process.env.SHIPYARD_RECONNECT_MS ?? 60_000);

async function refusal(response: Response): Promise<CliError> {
  const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
  const message = body.error?.message ?? `The server answered ${response.status}.`;
  if (response.status === 401) return notSignedIn();
  if (response.status === 400) return usageError(message);
  return new CliError(message, EXIT.failed);
}

/** Calls onEvent for every event after `afterSeq`, in order; resolves with the COMPLETE event. */
export async function followRun(session: Session, runId: string, afterSeq: number, onEvent: (event: RunEvent) => void): Promise<RunEvent> {
  let lastSeq = afterSeq;
  let complete: RunEvent | undefined;
  let failingSince: number | undefined;
  let delay = 250;
  while (!complete) {
    try {
      const response = await request(session, `/api/agent-runs/${encodeURIComponent(runId)}/stream`, {
        headers: { accept: 'text/event-stream', 'last-event-id': String(lastSeq) },
      });
      if (response.status !== 200) throw await refusal(response);
      failingSince = undefined;
      delay = 250;
      if (!response.body) throw new Error('The server answered 200 without an event stream.');
      for await (const frame of sseFrames(response.body)) {
        const event = JSON.parse(frame.data) as RunEvent;
        if (event.seq <= lastSeq) continue;
        lastSeq = event.seq;
        onEvent(event);
        if (event.type === 'COMPLETE') complete = event;
      }
    } catch (error) {
      if (error instanceof CliError && error.exitCode !== EXIT.unreachable) throw error;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > GIVE_UP_AFTER_MS) throw error instanceof CliError ? error : unreachable(session.server, error);
    }
    if (!complete) {
      // The stream ended early (an API restart) or the connection failed: reconnect after the last seq seen.
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 3000);
    }
  }
  return complete;
}

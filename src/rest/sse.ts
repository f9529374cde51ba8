// GET /api/agent-runs/:id/stream: the run's events as Server-Sent Events, named after their type (status, text,
// tool_call, tool_result, feature, commit, test, error, complete), `id:` = seq. Resumes after Last-Event-ID (or
// ?afterSeq=) exactly: it is the run stream of GraphQL's agentRunEvents (replay from Postgres, then live), read
// through its pull path. Ends after `complete`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { AppServices } from '../services.js';
import { streamRunEventBatches } from '../subscriptions/run-stream.js';
import { abortable } from '../subscriptions/live-buffer.js';
import type { RunEvent } from '../events/types.js';
import { restError } from './errors.js';
import { authenticateToken, readableRun } from './run-ref.js';

const HEARTBEAT_MS = 15_000;

/** An event as REST and the WebSocket send it: ids are global ids, like everywhere else in the API. */
export const eventJson = (event: RunEvent) => ({
  runId: encodeGlobalID('AgentRun', event.runId),
  seq: event.seq,
  type: event.type,
  payload: event.payload,
  createdAt: event.createdAt,
});

function resumeAfter(req: IncomingMessage, url: URL): number {
  const raw = (req.headers['last-event-id'] as string | undefined) ?? url.searchParams.get('afterSeq') ?? '0';
  if (!/^\d{1,10}$/.test(raw.trim())) throw restError('BAD_USER_INPUT', 'Last-Event-ID / afterSeq must be a seq (a whole number).');
  return Number(raw.trim());
}

export async function streamRunOverSse(req: IncomingMessage, res: ServerResponse, url: URL, id: string, services: AppServices): Promise<void> {
  const { db } = services;
  const { user, tokenId } = await authenticateToken(db, req.headers.authorization);
  const run = await readableRun(db, user, id);
  const afterSeq = resumeAfter(req, url);
  let revoked = false;
  // Counts against the user's subscription cap, and ends when the token is revoked (like GraphQL subscriptions).
  const release = services.subscriptions.hold(user.id, tokenId, () => {
    revoked = true;
    void events.return?.();
  });
  if (!release) throw restError('TOO_MANY_SUBSCRIPTIONS', `Too many open subscriptions: at most ${services.subscriptions.maxPerUser} per user at a time.`);
  const events = abortable((signal) =>
    streamRunEventBatches({ db, hub: services.events, run, afterSeq, signal, authorize: services.memberships.check(db, user.id, run.projectId, 'VIEWER', signal) }),
  );
  res.once('close', release);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': shipyard run events\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const stop = () => void events.return?.();
  res.once('close', stop);
  try {
    for await (const batch of events) {
      let chunk = '';
      for (const event of batch.events) chunk += `id: ${event.seq}\nevent: ${event.type.toLowerCase()}\ndata: ${JSON.stringify(eventJson(event))}\n\n`;
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    }
  } catch (error) {
    // The viewer lost access (or the database went away) mid-stream: say why in a comment and end.
    const code = (error as { extensions?: { code?: string } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    if (!res.writableEnded) res.write(`: stream ended: ${code}\n\n`);
  } finally {
    if (revoked && !res.writableEnded) res.write(': stream ended: UNAUTHENTICATED (the token was revoked)\n\n');
    release();
    clearInterval(heartbeat);
    res.off('close', stop);
    if (!res.writableEnded) res.end();
  }
}

// GET /ws/:projectId: the seed's per-project WebSocket. Carries the live events of every run of the project as JSON
// { type, runId, seq, data } (type: the seed's lowercase event name, data: the payload). Authenticated by the
// upgrade's Authorization header or by a first message { "type": "auth", "token": "<token>" }. A client that missed
// events of a run sends { "type": "resume", "runId", "afterSeq" }: that run's events after afterSeq are then replayed
// and followed exactly once, in order (the run stream of agentRunEvents), instead of arriving through the live feed.
// Close codes: 1001 the API is shutting down (resume elsewhere), 4400 bad message, 4401 not authenticated, 4403 not a member (or no longer), 4404 unknown project.
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import type { User } from '../generated/prisma/client.js';
import type { AppServices } from '../services.js';
import { streamProjectEvents } from '../subscriptions/project-stream.js';
import { streamRunEventBatches } from '../subscriptions/run-stream.js';
import { abortable } from '../subscriptions/live-buffer.js';
import type { RunEvent } from '../events/types.js';
import { assertMember, authenticateToken, rowId } from '../rest/run-ref.js';
import { eventJson } from '../rest/sse.js';
import { logger } from '../logger.js';

const AUTH_TIMEOUT_MS = 10_000;
const MAX_QUEUED = 100;
/** Runs one socket may replay at once (each is a run stream reading Postgres). */
const MAX_RESUMED = 20;

const CLOSE_CODES: Record<string, number> = { BAD_USER_INPUT: 4400, UNAUTHENTICATED: 4401, FORBIDDEN: 4403, NOT_FOUND: 4404, TOO_MANY_SUBSCRIPTIONS: 4429 };

const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(500) }),
  z.object({ type: z.literal('resume'), runId: z.string().min(1).max(200), afterSeq: z.number().int().min(0) }),
]);

const codeOf = (error: unknown) =>
  (error as { code?: string }).code ?? (error as { extensions?: { code?: string } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR';

/** The WebSocket message of an event. */
const frame = (event: RunEvent) => {
  const json = eventJson(event);
  return JSON.stringify({ type: event.type.toLowerCase(), runId: json.runId, seq: json.seq, data: json.payload, createdAt: json.createdAt });
};

export function createProjectSockets(services: AppServices, maxPayload: number) {
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  wss.on('connection', (socket: WebSocket, req: IncomingMessage, projectRef: string) => void serve(socket, req, projectRef));

  async function serve(socket: WebSocket, req: IncomingMessage, projectRef: string): Promise<void> {
    const closed = new AbortController();
    socket.once('close', () => closed.abort());
    const fail = (error: unknown) => {
      const code = codeOf(error);
      if (!(code in CLOSE_CODES)) logger.error({ err: error }, 'project socket failed');
      if (socket.readyState === socket.OPEN) socket.close(CLOSE_CODES[code] ?? 1011, code);
    };
    type Message = z.infer<typeof ClientMessage> | null;
    /** Parsed client messages not taken yet (null: malformed); a client cannot queue more than MAX_QUEUED. */
    const messages: Message[] = [];
    let waiting: ((message: Message) => void) | undefined;
    socket.on('message', (data: RawData) => {
      let message: Message = null;
      try {
        message = ClientMessage.safeParse(JSON.parse(data.toString())).data ?? null;
      } catch {
        // malformed JSON: answered like any other bad message
      }
      const taker = waiting;
      waiting = undefined;
      if (taker) taker(message);
      else if (messages.push(message) > MAX_QUEUED) socket.close(4400, 'too many messages');
    });
    closed.signal.addEventListener('abort', () => waiting?.(null), { once: true });
    const nextMessage = (timeoutMs?: number) =>
      new Promise<Message>((resolve, reject) => {
        if (messages.length) return resolve(messages.shift()!);
        if (closed.signal.aborted) return resolve(null);
        const timer = timeoutMs
          ? setTimeout(() => {
              waiting = undefined;
              reject(Object.assign(new Error('no auth message'), { code: 'UNAUTHENTICATED' }));
            }, timeoutMs)
          : undefined;
        waiting = (message) => {
          clearTimeout(timer);
          resolve(message);
        };
      });

    try {
      let caller: { user: User; tokenId: string };
      if (req.headers.authorization) caller = await authenticateToken(services.db, req.headers.authorization);
      else {
        const first = await nextMessage(AUTH_TIMEOUT_MS);
        if (closed.signal.aborted) return;
        if (first?.type !== 'auth') throw Object.assign(new Error('auth first'), { code: 'UNAUTHENTICATED' });
        caller = await authenticateToken(services.db, `Bearer ${first.token}`);
      }
      const { user } = caller;
      const projectId = rowId('Project', projectRef);
      await assertMember(services.db, user, projectId);
      // Counts against the user's subscription cap, and closes (4401) when the token is revoked.
      const release = services.subscriptions.hold(user.id, caller.tokenId, () => fail(Object.assign(new Error('token revoked'), { code: 'UNAUTHENTICATED' })));
      if (!release) throw Object.assign(new Error('too many subscriptions'), { code: 'TOO_MANY_SUBSCRIPTIONS' });
      if (closed.signal.aborted) release();
      else closed.signal.addEventListener('abort', release, { once: true });
      const { db } = services;
      const authorize = services.memberships.check(db, user.id, projectId, 'VIEWER', closed.signal);
      /** Runs being replayed: their live events come through their own run stream. */
      const resumed = new Set<string>();
      const send = (events: RunEvent[]) => {
        for (const event of events) if (socket.readyState === socket.OPEN) socket.send(frame(event));
      };
      socket.send(JSON.stringify({ type: 'ready', projectId: projectRef }));

      const followRun = async (runRef: string, afterSeq: number) => {
        const runId = rowId('AgentRun', runRef);
        // From now on this run's events come from its own stream (replay, then live), not from the project feed.
        resumed.add(runId);
        try {
          const run = await db.agentRun.findFirst({ where: { id: runId, projectId }, select: { id: true, projectId: true } });
          if (!run) throw Object.assign(new Error('Agent run not found in this project.'), { code: 'NOT_FOUND' });
          const stream = abortable((signal) => streamRunEventBatches({ db, hub: services.events, run, afterSeq, signal, authorize }));
          const stop = () => void stream.return?.();
          closed.signal.addEventListener('abort', stop, { once: true });
          try {
            for await (const batch of stream) send(batch.events);
          } finally {
            closed.signal.removeEventListener('abort', stop);
          }
        } finally {
          resumed.delete(runId);
        }
      };

      // Client messages after authentication: resumes (each followed concurrently with the live feed).
      void (async () => {
        for (;;) {
          const message = await nextMessage();
          if (closed.signal.aborted) return;
          if (message?.type !== 'resume') {
            socket.send(JSON.stringify({ type: 'error', error: { code: 'BAD_USER_INPUT', message: 'Send { "type": "resume", "runId", "afterSeq" }.' } }));
            continue;
          }
          if (resumed.size >= MAX_RESUMED) {
            socket.send(JSON.stringify({ type: 'error', runId: message.runId, error: { code: 'BAD_USER_INPUT', message: `At most ${MAX_RESUMED} runs are resumed at once.` } }));
            continue;
          }
          followRun(message.runId, message.afterSeq).catch((error: unknown) => {
            const code = codeOf(error);
            if (code === 'FORBIDDEN') return fail(error);
            socket.send(JSON.stringify({ type: 'error', runId: message.runId, error: { code, message: code === 'INTERNAL_SERVER_ERROR' ? 'Unexpected error.' : (error as Error).message } }));
          });
        }
      })();

      const live = abortable((signal) => streamProjectEvents({ hub: services.events, projectId, signal, authorize }));
      closed.signal.addEventListener('abort', () => void live.return?.(), { once: true });
      for await (const batch of live) send(batch.events.filter((event) => !resumed.has(event.runId)));
    } catch (error) {
      fail(error);
    }
  }

  return {
    /** Takes the upgrade when the path is /ws/:projectId; false otherwise. */
    handleUpgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): boolean {
      const match = /^\/ws\/([^/?]+)\/?$/.exec((req.url ?? '').split('?')[0]!);
      if (!match) return false;
      let projectRef: string;
      try {
        projectRef = decodeURIComponent(match[1]!);
      } catch {
        return false;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, projectRef));
      return true;
    },
    /**
     * Shutdown: every socket is closed with 1001 (going away), so its client resumes with its last seq elsewhere, and
     * no new one is accepted. Sockets whose client has not answered the close frame within graceMs are cut.
     * Resolves once all are gone.
     */
    close: async (graceMs: number) => {
      const sockets = [...wss.clients];
      const gone = Promise.all(sockets.map((socket) => new Promise<void>((resolve) => (socket.readyState === socket.CLOSED ? resolve() : socket.once('close', () => resolve())))));
      for (const socket of sockets) socket.close(1001, 'Going away');
      wss.close();
      const cut = setTimeout(() => sockets.forEach((socket) => socket.terminate()), graceMs);
      await gone;
      clearTimeout(cut);
    },
  };
}

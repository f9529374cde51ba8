// What the HTTP server hands Yoga with each request (Yoga's "server context"), besides the Fetch Request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LivePush } from './live-push.js';

export interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  /** For a request that may become a subscription stream (it accepts text/event-stream): its live push (live-push.ts). */
  livePush?: LivePush;
}

// /admin: Bull Board (the run queue's dashboard) for platform administrators, and the sign-in that gives a browser
// the admin cookie. Bull Board runs on Hono; @hono/node-server bridges it to node:http.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { PrismaClient } from '../generated/prisma/client.js';
import { adminCookie, checkAdmin, requestToken } from './admin-auth.js';

const DASHBOARD_PATH = '/admin/queues';

const LOGIN_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Shipyard admin</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 4rem auto">
<h1>Shipyard admin</h1>
<form method="post" action="/admin/session">
<p><label>API or session token of an administrator<br><input name="token" type="password" size="50" autocomplete="off" required></label></p>
<p><button type="submit">Open the queue dashboard</button></p>
</form></body></html>`;

export function createAdminHandler(opts: { db: PrismaClient; queue: Queue; adminEmails: readonly string[] }) {
  const serverAdapter = new HonoAdapter(serveStatic);
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: [new BullMQAdapter(opts.queue)], serverAdapter });
  const app = new Hono();
  app.route(DASHBOARD_PATH, serverAdapter.registerPlugin());
  const dashboard = getRequestListener(app.fetch);

  const text = (res: ServerResponse, status: number, body: string) =>
    void res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${body}\n`);

  return async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/admin/login' && req.method === 'GET') {
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(LOGIN_PAGE);
    }
    if (path === '/admin/session' && req.method === 'POST') {
      const token = await readToken(req);
      if (!token) return text(res, 400, 'Send the token as a form field or JSON property named "token" (at most 1 KB).');
      const check = await checkAdmin(opts.db, token, opts.adminEmails);
      if (check.status !== 200) return text(res, check.status, check.message);
      const secure = req.headers['x-forwarded-proto'] === 'https' || 'encrypted' in req.socket;
      return void res.writeHead(303, { location: DASHBOARD_PATH, 'set-cookie': adminCookie(token, secure), 'cache-control': 'no-store' }).end();
    }
    if (path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`)) {
      const check = await checkAdmin(opts.db, requestToken(req), opts.adminEmails);
      if (check.status !== 200) return text(res, check.status, check.message);
      return dashboard(req, res);
    }
    return text(res, 404, 'Not found.');
  };
}

/** The sign-in form's body (urlencoded or JSON), bounded. */
async function readToken(req: IncomingMessage): Promise<string | null> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 1024) return null;
  }
  const type = req.headers['content-type'] ?? '';
  try {
    const token = type.includes('application/json') ? (JSON.parse(body) as { token?: unknown }).token : new URLSearchParams(body).get('token');
    return typeof token === 'string' && token.trim() ? token.trim() : null;
  } catch {
    return null;
  }
}

// The web console (web/dist, built by `npm install`/`npm run build`) served at / from the API's own origin:
// static files by exact path, index.html for every other page path (the console routes in the browser).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const consoleDir = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Paths the console never answers: the API's own, now or later. */
const API_PATHS = /^\/(graphql|api|ws|health|ready|metrics|admin)(\/|$)/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

async function fileAt(path: string) {
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? info : null;
}

/** Answers a console request and returns true, or returns false for the API to handle it. */
export async function serveConsole(req: IncomingMessage, res: ServerResponse, dir = consoleDir): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  let path: string;
  try {
    path = decodeURIComponent((req.url ?? '/').split('?')[0]);
  } catch {
    return false;
  }
  if (API_PATHS.test(path) || path.includes('\0')) return false;
  const wanted = normalize(join(dir, path));
  let file = wanted.startsWith(dir + sep) ? wanted : null;
  let info = file ? await fileAt(file) : null;
  const asset = info !== null && file !== null && !file.endsWith(`${sep}index.html`);
  if (!info) {
    if (extname(path) && path.startsWith('/assets/')) return void res.writeHead(404).end('Not found'), true;
    file = join(dir, 'index.html');
    info = await fileAt(file);
    if (!info) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('The web console is not built: run `npm run build` (npm install does it).\n');
      return true;
    }
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file!)] ?? 'application/octet-stream',
    'content-length': info.size,
    // Vite's assets carry a content hash in their names; the page itself must always be fresh.
    'cache-control': asset && path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end(), true;
  createReadStream(file!).pipe(res);
  return true;
}

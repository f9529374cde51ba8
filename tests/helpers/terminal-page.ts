// tests/fixtures/terminal-page built with Vite and served on a loopback port: TerminalView alone, with synthetic
// events, for the terminal's browser test and bench:console.
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export async function serveTerminalPage(): Promise<{ url: string; close: () => void }> {
  const outDir = mkdtempSync(join(tmpdir(), 'shipyard-terminal-page-'));
  await build({ root: fileURLToPath(new URL('../fixtures/terminal-page', import.meta.url)), base: './', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const path = url === '/' ? '/index.html' : url;
    let body: Buffer;
    try {
      body = readFileSync(join(outDir, path));
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    close: () => {
      server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

// npm run bench:console — the console's initial JavaScript (gzip) and AgentTerminal with 10,000 events in Chromium:
// time to render (windowed, against every row in the DOM as the baseline measured in the same run) and long tasks
// while scrolling, from the browser's Performance API. Goals: ≤ 250 KB gzip, ≤ 1 s, no long task over 50 ms.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { launchChromium } from '../tests/helpers/browser.js';
import { serveTerminalPage } from '../tests/helpers/terminal-page.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

// 1. The console's initial JS: every script and modulepreload index.html names, gzipped.
await build({ root: join(root, 'web'), logLevel: 'warn' });
const html = readFileSync(join(root, 'web/dist/index.html'), 'utf8');
const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const gzipBytes = scripts.reduce((sum, path) => sum + gzipSync(readFileSync(join(root, 'web/dist', path))).length, 0);

// 2. The terminal alone with synthetic events (tests/fixtures/terminal-page).
const page$ = await serveTerminalPage();
const url = page$.url;

const browser = await launchChromium();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.waitForFunction(() => typeof window.renderTerminal === 'function');
  const windowed: number[] = [];
  const all: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    windowed.push(await page.evaluate((n) => window.renderTerminal(n, 'windowed'), EVENTS));
    all.push(await page.evaluate((n) => window.renderTerminal(n, 'all'), EVENTS));
  }
  await page.evaluate((n) => window.renderTerminal(n, 'windowed'), EVENTS);
  const scroll = await page.evaluate(() => window.scrollTerminal(120));
  await page.evaluate((n) => window.renderTerminal(n, 'all'), EVENTS);
  const scrollAll = await page.evaluate(() => window.scrollTerminal(120));

  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const longest = (xs: number[]) => (xs.length ? `${Math.max(...xs).toFixed(0)} ms` : 'none');
  console.log(`console initial JS: ${kb(gzipBytes)} gzip in ${scripts.length} file(s) (goal ≤ 250 KB) ${gzipBytes <= 250 * 1024 ? 'OK' : 'OVER'}`);
  console.log(`AgentTerminal, ${EVENTS} events, median of ${ROUNDS}: windowed ${median(windowed).toFixed(0)} ms, every row in the DOM (baseline) ${median(all).toFixed(0)} ms, ratio ${(median(windowed) / median(all)).toFixed(3)} (goal ≤ 1000 ms) ${median(windowed) <= 1000 ? 'OK' : 'OVER'}`);
  console.log(`scrolling 120 frames: windowed long tasks ${scroll.longTasks.length} (longest ${longest(scroll.longTasks)}), baseline ${scrollAll.longTasks.length} (longest ${longest(scrollAll.longTasks)}) (goal: none over 50 ms) ${scroll.longTasks.every((d) => d <= 50) ? 'OK' : 'OVER'}`);
} finally {
  await browser.close();
  page$.close();
}

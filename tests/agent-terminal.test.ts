// AgentTerminal's rendering in Chromium (TerminalView with synthetic events, tests/fixtures/terminal-page):
// windowed rows, following the bottom until the user scrolls up, tool results that open to 20 lines and "show all",
// a distinct style per event type, and a PAUSED run's own state.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser.js';
import { serveTerminalPage } from './helpers/terminal-page.js';
import { PREVIEW_LINES } from '../client/src/react/terminal-rows.js';

let browser: Browser;
let page: Page;
let served: Awaited<ReturnType<typeof serveTerminalPage>>;

beforeAll(async () => {
  [served, browser] = await Promise.all([serveTerminalPage(), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(served.url);
  await page.waitForFunction(() => typeof window.renderTerminal === 'function');
}, 60_000);
afterAll(async () => {
  await browser?.close();
  served?.close();
});

const body = () => page.locator('.shipyard-terminal .st-body');
const scrollState = () => body().evaluate((el) => ({ top: el.scrollTop, max: el.scrollHeight - el.clientHeight }));
const seqs = () => page.locator('.st-row[data-seq]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));

describe('AgentTerminal', () => {
  it('windows 10,000 events and follows the bottom until the user scrolls up', async () => {
    await page.evaluate(() => window.renderTerminal(10_000, 'windowed'));
    expect(await page.locator('.shipyard-terminal').getAttribute('data-event-count')).toBe('10000');
    expect(await page.locator('.st-row').count()).toBeLessThan(200);
    const bottom = await scrollState();
    expect(bottom.top).toBe(bottom.max);
    expect(Math.max(...(await seqs()))).toBe(10_000);

    await page.evaluate(() => window.appendEvents(6));
    const followed = await scrollState();
    expect(followed.top).toBe(followed.max);
    expect(Math.max(...(await seqs()))).toBe(10_006);

    await body().hover();
    await page.mouse.wheel(0, -3000);
    await expect.poll(() => page.getByRole('button', { name: '↓ follow' }).count()).toBe(1);
    const away = (await scrollState()).top;
    expect(away).toBeLessThan(followed.max);
    await page.evaluate(() => window.appendEvents(6));
    expect((await scrollState()).top).toBe(away);
    expect(Math.max(...(await seqs()))).toBeLessThan(10_012);

    await page.getByRole('button', { name: '↓ follow' }).click();
    await expect.poll(async () => Math.max(...(await seqs()))).toBe(10_012);
    const back = await scrollState();
    expect(back.top).toBe(back.max);
  });

  it(`opens a tool result to ${PREVIEW_LINES} lines, then to all of them`, async () => {
    await page.evaluate(() => window.renderTerminal(30, 'windowed'));
    const result = page.locator('.st-row.k-tool-result, .st-row.k-tool-error').first();
    const seq = await result.getAttribute('data-seq');
    await result.click();
    const output = page.locator(`.st-row.k-output[data-seq="${seq}"]`);
    expect(await output.count()).toBe(PREVIEW_LINES);
    const more = page.locator(`.st-row.k-more[data-seq="${seq}"]`);
    expect(await more.textContent()).toBe('show all (10 more lines)');
    await more.click();
    expect(await output.count()).toBe(30);
    expect(await output.last().textContent()).toBe(`line 29 of output ${seq}`);
    expect(await more.count()).toBe(0);
    await result.click();
    expect(await output.count()).toBe(0);
  });

  it('gives each event type its own style', async () => {
    await page.evaluate(() => window.renderTerminal(12, 'windowed'));
    const colors: Record<string, string> = {};
    for (const kind of ['text', 'tool-call', 'tool-result', 'tool-error', 'test-pass', 'commit', 'feature-pass']) {
      colors[kind] = await page.locator(`.st-row.k-${kind}`).first().evaluate((el) => getComputedStyle(el).color);
    }
    expect(new Set(Object.values(colors)).size).toBe(Object.keys(colors).length);
  });

  it('shows a PAUSED run as paused, with its reason, in its own style, and still stoppable', async () => {
    await page.evaluate(() => window.renderPausedRun());
    const status = page.locator('.shipyard-terminal .st-status');
    expect(await status.textContent()).toBe('PAUSED');
    expect(await page.locator('.shipyard-terminal .st-paused').textContent()).toBe('paused: budget');
    expect(await page.locator('.st-row.k-paused').textContent()).toBe('● PAUSED (budget) — Budget reached.');
    const color = (selector: string) => page.locator(selector).first().evaluate((el) => getComputedStyle(el).color);
    expect(await color('.st-row.k-paused')).not.toBe(await color('.st-row.k-status'));
    expect(await color('.shipyard-terminal .st-status')).not.toBe(await color('.st-row.k-status')); // not RUNNING's blue
    expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(1);
  });
});

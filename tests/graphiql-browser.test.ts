// GraphiQL in a real Chromium, with every request that leaves the machine blocked: the page loads from the API alone,
// opens with the example operation and the Authorization template, signs up, runs a query with the token in its
// Headers tab, and streams a run's events over graphql-ws (the headers travel in the subscribe message).
// A screenshot is saved under tests/artifacts/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from './helpers/api.js';
import { createProject, startAgentRun } from './helpers/foundation.js';
import { until } from './helpers/processes.js';
import { say } from './helpers/scripted-anthropic.js';
import { useScriptedModel } from './helpers/scripted-model.js';
import { useStack } from './helpers/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const artifacts = join(import.meta.dirname, 'artifacts');
const model = useScriptedModel({ fallback: () => say('Nothing more to do.') });
const stack = useStack({ workers: { kind: 'real', settings: () => model.env() } });
let browser: Browser;
const leftTheMachine: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

/** Monaco renders spaces as U+00A0 and only the lines in view; the editors here are short. */
const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replaceAll('\u00a0', ' ');

const QUERY_EDITOR = '.graphiql-query-editor .monaco-editor';
const HEADERS_EDITOR = '.monaco-editor[data-uri$="headers.json"]';

async function replaceEditorText(page: Page, editor: string, value: string) {
  await page.locator(editor).first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(value);
}

/** Waits until the response panel satisfies `check`; the error shows what the panel said. */
async function response<T>(page: Page, check: (response: string) => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await text(page, '.graphiql-response');
    const value = check(current);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the response panel shows: ${current}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * GraphiQL takes an edit into its state (and parses the operations it would run) a moment after the editor shows it;
 * an execute before that runs the previous document, or only offers to pick one of its operations. Its active tab, as
 * it persists it, says when the new text has been taken.
 */
async function tabHolds(page: Page, field: 'query' | 'headers', value: string) {
  const title = field === 'query' ? (/^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(value)?.[1] ?? '<untitled>') : undefined;
  await until(
    () =>
      page.evaluate(
        ([field, value, title]) => {
          const state = JSON.parse(localStorage.getItem('graphiql:tabState') ?? '{}') as { tabs?: Array<Record<string, unknown>>; activeTabIndex?: number };
          const tab = state.tabs?.[state.activeTabIndex ?? 0];
          return tab?.[field!] === value && (title === undefined || tab?.title === title);
        },
        [field, value, title] as const,
      ),
    10_000,
    `GraphiQL to take the new ${field}`,
  );
}

async function run(page: Page, operation: string) {
  await replaceEditorText(page, QUERY_EDITOR, operation);
  await tabHolds(page, 'query', operation);
  await page.locator('.graphiql-execute-button').click();
}

describe('GraphiQL', () => {
  it('works offline: sign up, query with the Headers tab, and watch a run stream over graphql-ws', async () => {
    const context = await browser.newContext();
    await context.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
      leftTheMachine.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    await page.goto(`${stack.api.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ timeout: 30_000 });
    await until(async () => (await text(page, '.graphiql-query-editor')).includes('mutation SignUp'), 15_000, 'the example operation');

    // The Headers tab opens with the template.
    await page.getByRole('button', { name: 'Headers' }).click();
    await until(async () => (await text(page, HEADERS_EDITOR)).includes('Bearer <token from signUp or logIn>'), 10_000, 'the header template');

    await run(page, 'mutation { signUp(input: { email: "browser@example.com", password: "correct horse battery", name: "Browser" }) { token } }');
    const token = await response(page, (r) => /"token": "([^"]+)"/.exec(r)?.[1], 'the signUp token');

    const headers = JSON.stringify({ Authorization: `Bearer ${token}` });
    await replaceEditorText(page, HEADERS_EDITOR, headers);
    await tabHolds(page, 'headers', headers);
    await run(page, 'query { viewer { email } }');
    await response(page, (r) => r.includes('"email": "browser@example.com"'), 'the viewer');

    const project = await createProject(stack.api, { token }, 'Browser', 'A greeter.');
    model.enqueue({ ...say('Hello from the scripted model.'), delayMs: 150 });
    const runId = await startAgentRun(stack.api, { token }, project.id);
    await run(page, `subscription { agentRunEvents(runId: "${runId}") { seq type } }`);
    const seen = new Set<string>();
    await until(
      async () => {
        const response = await text(page, '.graphiql-response');
        for (const match of response.matchAll(/"seq": (\d+)/g)) seen.add(match[1]);
        return response.includes('"type": "COMPLETE"');
      },
      45_000,
      'the run to complete in GraphiQL',
    );
    expect(seen.size).toBeGreaterThan(1);
    expect(await text(page, '.graphiql-response')).not.toContain('UNAUTHENTICATED');

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'graphiql-run-events.png'), fullPage: true });
    expect(leftTheMachine).toEqual([]);
    await context.close();
  }, 120_000);

  it("serves a page that names no other host, and the editor's files from the API", async () => {
    const page = await (await fetch(`${stack.api.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    expect(page.match(/https?:\/\/[^"' )]+/g) ?? []).toEqual([]);
    const scripts = [...page.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(['/graphiql/graphiql.css', '/graphiql/graphiql.js']);
    for (const path of scripts) {
      const response = await fetch(`${stack.api.url}${path}`);
      expect(response.status).toBe(200);
      expect((await response.text()).length).toBeGreaterThan(1000);
    }
    expect((await fetch(`${stack.api.url}/graphiql/nothing.js`)).status).toBe(404);
  });

  it('says where the token goes when a subscription has none', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.api.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ timeout: 30_000 });
    const owner = await signUp(stack.api, 'O', 'owner@example.com');
    const project = await createProject(stack.api, owner, 'Other', 'A greeter.');
    const runId = await startAgentRun(stack.api, owner, project.id);
    // The Headers tab still holds the template: no real token reaches the server.
    await run(page, `subscription { agentRunEvents(runId: "${runId}") { seq } }`);
    await response(page, (r) => r.includes('UNAUTHENTICATED'), 'the error');
    expect(await text(page, '.graphiql-response')).toContain('the Headers tab');
    await context.close();
  }, 60_000);
});

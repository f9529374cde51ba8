// The web console in Chromium against the real API process, a real worker process (the agent loop through the real
// SDK) and the scripted Messages API: sign up, create a project from an uploaded app_spec.txt, start a run, watch
// the terminal fill live, reload mid-run and resume without gaps or duplicates, read a commit's diff and a file, pause
// and resume a run (shown as paused, then followed live to its end), and stop a slow run. Screenshots go to
// tests/artifacts/.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk } from './helpers/api.js';
import { rawId } from './helpers/global-id.js';
import { useProcessStack } from './helpers/process-stack.js';
import { until } from './helpers/processes.js';
import { type ScriptTurn } from './helpers/scripted-anthropic.js';
import { useScriptedModel } from './helpers/scripted-model.js';
import { FEATURES, codingSession, initializerSession } from './helpers/quickstart-script.js';
import { artifactPath, launchChromium } from './helpers/browser.js';
import { CreateWorkItemDocument, PauseAgentRunDocument, ResumeAgentRunDocument } from './generated/graphql.js';
import { connectDb, getDb } from '../src/db/client.js';
import { consoleDir } from '../src/console/serve.js';

const model = useScriptedModel();
const stack = useProcessStack({ workerSettings: () => model.env() });
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(join(consoleDir, 'index.html'))) execFileSync('npm', ['run', 'build:web'], { stdio: 'inherit' });
  connectDb(stack.instance.databaseUrl);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && console.error(`[page console] ${message.text()}`));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await getDb().$disconnect();
});

/** Creates a project from the console's form with the app spec typed in; the page is then the project's. */
async function createProjectInConsole(name: string, appSpec: string) {
  await page.goto(`${stack.api.url}/new`);
  await page.getByLabel('Name').fill(name);
  await page.locator('textarea[name=appSpec]').fill(appSpec);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(/\/projects\/[^/]+$/);
}

/** Every model turn streams slowly enough that the run takes a few seconds: time to watch and reload. */
const slow = (turns: ScriptTurn[]) => turns.map((t) => ({ ...t, delayMs: 25 }));
const terminal = (p: Page) => p.locator('.shipyard-terminal');
const attr = async (p: Page, name: string) => (await terminal(p).getAttribute(name)) ?? '';
const shot = (p: Page, name: string) => p.screenshot({ path: artifactPath(`console-${name}.png`), fullPage: true });

/** The seqs of the rows rendered at the terminal's current scroll position (windowed: not all of them). */
const renderedSeqs = (p: Page) => p.locator('.shipyard-terminal .st-row[data-seq]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));

let projectUrl = '';

describe('web console', () => {
  it('signs up and creates a project from an uploaded app_spec.txt', async () => {
    await page.goto(`${stack.api.url}/`);
    await page.waitForURL('**/login');
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByPlaceholder('Name').fill('Ada');
    await page.getByPlaceholder('Email').fill(`ada-${randomBytes(3).toString('hex')}@example.com`);
    await page.getByPlaceholder(/Password/).fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();

    await page.getByRole('link', { name: 'New project' }).click();
    await page.getByLabel('Name').fill('Greeter');
    const spec = join(stack.instance.generationsDir, 'app_spec.txt');
    writeFileSync(spec, 'Build a greeter, an adder and a string reverser.\n');
    await page.getByLabel('Upload app_spec.txt').setInputFiles(spec);
    await expect.poll(() => page.locator('textarea[name=appSpec]').inputValue()).toContain('string reverser');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/[^/]+$/);
    projectUrl = page.url();
    await page.getByRole('heading', { name: 'Greeter' }).waitFor();
    const stored = await getDb().project.findFirstOrThrow({ where: { name: 'Greeter' } });
    expect(stored.appSpec).toContain('string reverser');
    await shot(page, '1-project');
  }, 60_000);

  it('starts a run; terminal lines arrive live and in order, and a reload mid-run resumes without gaps or duplicates', async () => {
    model.enqueue(...slow([...initializerSession(), ...codingSession(0), ...codingSession(1), ...codingSession(2)]));
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\//);
    const runId = rawId(decodeURIComponent(page.url().split('/runs/')[1]));

    // Live: the count grows through several values before the run completes.
    const counts = new Set<number>();
    await until(async () => {
      counts.add(Number(await attr(page, 'data-event-count')));
      return counts.size >= 3 && Math.max(...counts) >= 8;
    }, 30_000, 'events arriving live');
    const seqs = await renderedSeqs(page);
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const before = Number(await attr(page, 'data-event-count'));
    await page.reload();
    await until(async () => Number(await attr(page, 'data-event-count')) >= before, 15_000, 'the terminal to catch up after the reload');
    const stillRunning = (await getDb().agentRun.findUniqueOrThrow({ where: { id: runId } })).status;
    await until(async () => (await attr(page, 'data-status')) === 'SUCCEEDED', 60_000, 'the run to succeed in the terminal');
    await until(async () => Number(await attr(page, 'data-last-seq')) === (await getDb().agentRunEvent.count({ where: { runId } })), 10_000, 'every event shown');

    const stored = await getDb().agentRunEvent.findMany({ where: { runId }, orderBy: { seq: 'asc' } });
    expect(stored.at(-1)!.type).toBe('COMPLETE');
    // As many events as the last seq: with seqs strictly increasing, no gap and no duplicate.
    expect(Number(await attr(page, 'data-event-count'))).toBe(stored.length);
    expect(Number(await attr(page, 'data-last-seq'))).toBe(stored.length);
    expect(['QUEUED', 'RUNNING']).toContain(stillRunning); // the reload happened mid-run

    // From the top: rows start at seq 1 and never go back.
    await terminal(page).locator('.st-body').evaluate((el) => (el.scrollTop = 0));
    await until(async () => (await renderedSeqs(page))[0] === 1, 5_000, 'the first rows after scrolling up');
    const top = await renderedSeqs(page);
    expect(top).toEqual([...top].sort((a, b) => a - b));
    await expect.poll(() => page.getByRole('button', { name: '↓ follow' }).count()).toBe(1);
    await terminal(page).locator('.st-body').evaluate((el) => (el.scrollTop = el.scrollHeight));

    // Styles per event type, and a tool result opens to its output.
    await expect.poll(() => page.getByRole('button', { name: '↓ follow' }).count()).toBe(0);
    for (const kind of ['status', 'tool-call', 'tool-result', 'test-pass', 'commit', 'feature-pass', 'complete']) {
      expect(await page.locator(`.shipyard-terminal .st-row.k-${kind}`).count(), kind).toBeGreaterThan(0);
    }
    expect(await page.locator('.shipyard-terminal .st-row.k-tool-call').filter({ hasText: '✎ create src/feature2.js' }).count()).toBe(1);
    await expect.poll(() => page.locator('.shipyard-terminal .k-complete').textContent()).toContain('SUCCEEDED');
    expect(await page.locator('.shipyard-terminal .st-head').textContent()).toContain(`${FEATURES.length}/${FEATURES.length} features`);
    const result = page.locator('.shipyard-terminal .st-row.k-tool-result').last();
    await result.click();
    await expect.poll(() => page.locator('.shipyard-terminal .st-row.k-output').count()).toBeGreaterThan(0);
    await shot(page, '2-run-terminal');
  }, 150_000);

  it("opens a commit's diff and browses a workspace file", async () => {
    await page.goto(`${projectUrl}/commits`);
    await page.getByRole('link', { name: /Implement: Adds two numbers/ }).click();
    await page.waitForURL(/\/commits\//);
    await expect.poll(() => page.locator('pre.diff').textContent()).toContain('+++ b/src/feature1.js');
    expect(await page.locator('pre.diff .d-add').filter({ hasText: 'exports.value = 1;' }).count()).toBe(1);
    await shot(page, '3-commit-diff');

    await page.goto(`${projectUrl}/files`);
    await page.getByRole('button', { name: /src\// }).click();
    await page.getByRole('button', { name: /feature2\.js/ }).click();
    await expect.poll(() => page.locator('pre.code').textContent()).toBe('exports.value = 2;\n');
    await shot(page, '4-files');
  }, 60_000);

  it('edits an agent and moves a work item between statuses', async () => {
    const token = await page.evaluate(() => localStorage.getItem('shipyard.token'));
    const projectId = decodeURIComponent(new URL(projectUrl).pathname.split('/')[2]);
    const epic = (await gqlOk(stack.api, CreateWorkItemDocument, { input: { projectId, title: 'Accounts', type: 'EPIC' } }, token!)).createWorkItem;
    const story = (await gqlOk(stack.api, CreateWorkItemDocument, { input: { projectId, title: 'Sign in with email', type: 'STORY', parentId: epic.id } }, token!)).createWorkItem;

    await page.goto(`${projectUrl}/work-items`);
    const card = page.locator('.item').filter({ hasText: story.key });
    await expect.poll(() => card.textContent()).toContain(`in ${epic.key}`);
    await card.getByRole('combobox').selectOption('IN_PROGRESS');
    await expect.poll(() => page.locator('.column').filter({ has: page.getByRole('heading', { name: 'IN_PROGRESS' }) }).textContent()).toContain(story.key);
    const stored = await getDb().workItem.findFirstOrThrow({ where: { title: 'Sign in with email' } });
    expect(stored.status).toBe('IN_PROGRESS');

    await page.goto(`${projectUrl}/agents`);
    await page.getByRole('button', { name: 'Edit' }).first().click();
    await page.getByLabel('Model').fill('claude-test-edited');
    await page.getByLabel('Max turns').fill('7');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('.agents').textContent()).toContain('claude-test-edited · 7 turns/session');
    expect(await getDb().agent.count({ where: { model: 'claude-test-edited', maxTurns: 7 } })).toBe(1);
    await shot(page, '4b-agents');
  }, 60_000);

  it('shows a paused run as paused (with its reason) and follows it live again after resumeAgentRun', async () => {
    await createProjectInConsole('Pausable', 'Build a greeter, an adder and a string reverser.');
    const pausableUrl = page.url();
    model.enqueue(...slow([...initializerSession(), ...codingSession(0), ...codingSession(1), ...codingSession(2)]));
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\//);
    const runGlobalId = decodeURIComponent(page.url().split('/runs/')[1]);
    const runId = rawId(runGlobalId);
    const token = (await page.evaluate(() => localStorage.getItem('shipyard.token')))!;
    await until(async () => (await attr(page, 'data-status')) === 'RUNNING' && Number(await attr(page, 'data-event-count')) >= 2, 30_000, 'the run to be RUNNING');

    await gqlOk(stack.api, PauseAgentRunDocument, { id: runGlobalId }, token);
    await until(async () => (await attr(page, 'data-status')) === 'PAUSED', 30_000, 'PAUSED in the terminal');
    expect(await page.locator('.shipyard-terminal .st-status').textContent()).toBe('PAUSED');
    await expect.poll(() => page.locator('.shipyard-terminal .st-paused').textContent()).toBe('paused: user');
    expect(await page.locator('.shipyard-terminal .st-row.k-paused').last().textContent()).toContain('PAUSED (user)');
    const pausedColor = await page.locator('.shipyard-terminal .st-status').evaluate((el) => getComputedStyle(el).color);
    expect(pausedColor).not.toBe('rgb(124, 196, 250)'); // not the RUNNING / QUEUED blue
    expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(1); // a paused run can still be stopped
    const pausedCount = Number(await attr(page, 'data-event-count'));
    expect((await getDb().agentRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe('PAUSED');
    await shot(page, '4c-paused');

    // The project page labels it too, with its reason.
    await page.goto(pausableUrl);
    await expect.poll(() => page.locator('.project-head .s-PAUSED').textContent()).toBe('PAUSED: user');
    expect(await page.getByRole('button', { name: 'Paused' }).isDisabled()).toBe(true);
    await page.goBack();
    await until(async () => Number(await attr(page, 'data-event-count')) >= pausedCount, 15_000, 'the paused run shown again');

    // No reload from here on: the terminal's subscription carries the resumed run to its end.
    await gqlOk(stack.api, ResumeAgentRunDocument, { id: runGlobalId }, token);
    await until(async () => (await attr(page, 'data-status')) === 'SUCCEEDED', 60_000, 'the resumed run to succeed in the terminal');
    const stored = await getDb().agentRunEvent.count({ where: { runId } });
    await until(async () => Number(await attr(page, 'data-last-seq')) === stored, 10_000, 'every event shown');
    expect(Number(await attr(page, 'data-event-count'))).toBe(stored);
    expect(stored).toBeGreaterThan(pausedCount);
    expect(await page.locator('.shipyard-terminal .st-paused').count()).toBe(0);
    await expect.poll(() => page.locator('.shipyard-terminal .k-complete').textContent()).toContain('SUCCEEDED');
  }, 150_000);

  it('stops a slow run from the terminal: CANCELLED within a second or so', async () => {
    await createProjectInConsole('Slow', 'Something that takes a while.');
    model.enqueue({ hang: true }); // the model never answers: only a stop ends this run
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\//);
    await until(async () => (await attr(page, 'data-status')) === 'RUNNING', 30_000, 'the run to be RUNNING');
    const started = Date.now();
    await page.getByRole('button', { name: 'Stop' }).click();
    await until(async () => (await attr(page, 'data-status')) === 'CANCELLED', 5_000, 'CANCELLED in the terminal');
    console.log(`stop → CANCELLED shown in the browser after ${Date.now() - started} ms`);
    await expect.poll(() => page.locator('.shipyard-terminal .k-complete').textContent()).toContain('CANCELLED');
    await shot(page, '5-stopped');
  }, 60_000);

  it('serves the console for page paths and leaves the API paths alone', async () => {
    const pageHtml = await fetch(`${stack.api.url}/projects/whatever/files`).then((r) => r.text());
    expect(pageHtml).toContain('<div id="root">');
    expect((await fetch(`${stack.api.url}/health`)).headers.get('content-type')).toContain('application/json');
    const graphql = await fetch(`${stack.api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { id } }"}' });
    expect(await graphql.json()).toEqual({ data: { viewer: null } });
    expect((await fetch(`${stack.api.url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${stack.api.url}/..%2f..%2fpackage.json`)).headers.get('content-type')).toContain('text/html');
  });
});

// Model misconfiguration is found at start and explained: no credentials → the worker says so when it starts and
// every run fails at once with a readable ERROR event (no model call, no retries); an endpoint that refuses
// connections → the run's error names the base URL.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MISSING_CREDENTIALS } from '../worker/agent/model-client.js';
import { resetModelClient } from '../worker/agent/runtime.js';
import { createTestDatabase } from './helpers/postgres.js';
import { freePort, startWorkerProcess, until } from './helpers/processes.js';
import { eventsOf, seedProject, startRun, useRuntimeHarness } from './helpers/runtime-fixtures.js';

const h = useRuntimeHarness();
const saved = { ...process.env };
afterEach(() => {
  for (const name of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'SHIPYARD_API_MAX_RETRIES']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  Object.assign(process.env, h.model.env());
  resetModelClient();
});

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('model misconfiguration', () => {
  it('the worker says at start that it has no model credentials', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const worker = await startWorkerProcess({
      DATABASE_URL: database.url,
      SHIPYARD_QUEUE: `shipyard-test-nocreds-${randomBytes(4).toString('hex')}`,
      ANTHROPIC_API_KEY: '',
      ANTHROPIC_AUTH_TOKEN: '',
    });
    cleanups.push(() => worker.stop('SIGKILL'));
    await until(() => worker.output().includes('No model credentials: set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN)'), 10_000, 'the warning');
  });

  it('without credentials a run fails at once with a readable ERROR event and no model call', async () => {
    delete process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_AUTH_TOKEN;
    resetModelClient();
    const { project } = await seedProject(h);
    const { runId, outcome } = await startRun(h, project.id);
    expect(outcome).toMatchObject({ status: 'FAILED', error: MISSING_CREDENTIALS });
    const errors = (await eventsOf(h.db, runId)).filter((e) => e.type === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].payload).toMatchObject({ code: 'MODEL_CREDENTIALS_MISSING', retryable: false, message: MISSING_CREDENTIALS });
    expect(h.model.requests).toHaveLength(0);
  });

  it('an endpoint refusing connections fails the run with an error naming its base URL', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}`;
    process.env.ANTHROPIC_BASE_URL = baseUrl;
    process.env.SHIPYARD_API_MAX_RETRIES = '0';
    resetModelClient();
    const { project } = await seedProject(h);
    const { runId, outcome } = await startRun(h, project.id);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toContain(`Could not connect to the model API at ${baseUrl}`);
    expect(outcome.error).toMatch(/ECONNREFUSED.*check ANTHROPIC_BASE_URL/);
    const errors = (await eventsOf(h.db, runId)).filter((e) => e.type === 'ERROR');
    expect(JSON.stringify(errors.map((e) => e.payload))).toContain(baseUrl);
  }, 30_000);
});

// Model misconfiguration is found at start and explained: no credentials → the worker says so when it starts and
// every run fails at once with a readable ERROR event (no model call, no retries); an endpoint that refuses
// connections → the run's error names the base URL.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MISSING_CREDENTIALS } from '../worker/agent/model-client.js';
import { withEnv } from './helpers/process-settings.js';
import { createTestDatabase } from './helpers/postgres.js';
import { freePort, startWorkerProcess, until } from './helpers/processes.js';
import { eventsOf, seedProject, startRun, useRuntimeHarness } from './helpers/runtime-fixtures.js';
import { useCleanups } from './helpers/cleanups.js';

const h = useRuntimeHarness();

const defer = useCleanups();

describe('model misconfiguration', () => {
  it('the worker says at start that it has no model credentials', async () => {
    const database = await createTestDatabase();
    defer(database.drop);
    const worker = await startWorkerProcess({
      DATABASE_URL: database.url,
      SHIPYARD_QUEUE: `shipyard-test-nocreds-${randomBytes(4).toString('hex')}`,
      ANTHROPIC_API_KEY: '',
      ANTHROPIC_AUTH_TOKEN: '',
    });
    defer(() => worker.stop('SIGKILL'));
    await until(() => worker.output().includes('No model credentials: set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN)'), 10_000, 'the warning');
  });

  it('without credentials a run fails at once with a readable ERROR event and no model call', async () => {
    const { project } = await seedProject(h);
    const { runId, outcome } = await withEnv({ ANTHROPIC_API_KEY: undefined, ANTHROPIC_AUTH_TOKEN: undefined }, () => startRun(h, project.id));
    expect(outcome).toMatchObject({ status: 'FAILED', error: MISSING_CREDENTIALS });
    const errors = (await eventsOf(h.db, runId)).filter((e) => e.type === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0].payload).toMatchObject({ code: 'MODEL_CREDENTIALS_MISSING', retryable: false, message: MISSING_CREDENTIALS });
    expect(h.model.requests).toHaveLength(0);
  });

  it('an endpoint refusing connections fails the run with an error naming its base URL', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}`;
    const { project } = await seedProject(h);
    const { runId, outcome } = await withEnv({ ANTHROPIC_BASE_URL: baseUrl, SHIPYARD_API_MAX_RETRIES: '0' }, () => startRun(h, project.id));
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toContain(`Could not connect to the model API at ${baseUrl}`);
    expect(outcome.error).toMatch(/ECONNREFUSED.*check ANTHROPIC_BASE_URL/);
    const errors = (await eventsOf(h.db, runId)).filter((e) => e.type === 'ERROR');
    expect(JSON.stringify(errors.map((e) => e.payload))).toContain(baseUrl);
  }, 30_000);
});

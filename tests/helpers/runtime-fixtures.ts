// Real Postgres + Redis + git + scripted Messages API for agent-runtime tests: seeds a project with the default
// agents and runs agentRuntime in-process with the real event sink.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { createPrismaClient } from '../../src/db/client.js';
import { createRunEventSink } from '../../src/events/sink.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { createRedis } from '../../src/redis.js';
import type { RunOutcome } from '../../worker/agent/contract.js';
import { agentRuntime } from '../../worker/agent/runtime.js';
import { createTestDatabase } from './postgres.js';
import { createProjectRow } from './run-fixtures.js';
import type { TestApi } from './api.js';
import { createProject, useApiWithOwner, type User } from './foundation.js';
import { rawId } from './global-id.js';
import { applyEnv } from './process-settings.js';
import { useResource } from './resource.js';
import { startScriptedAnthropic, type ScriptedAnthropic, type ScriptedOptions } from './scripted-anthropic.js';

/** Not deprecated in SDK 1.14 (claude-sonnet-4-5 prints a deprecation warning on every call). */
export const TEST_MODEL = 'claude-sonnet-5-5';

export interface RuntimeHarness {
  db: PrismaClient;
  redis: Redis;
  model: ScriptedAnthropic;
  generations: string;
  close(): Promise<void>;
}

async function startRuntimeHarness(opts: ScriptedOptions = {}): Promise<RuntimeHarness> {
  const database = await createTestDatabase();
  const db = createPrismaClient(database.url);
  // Channels are per run id, so concurrent test files never see each other's events.
  const redis = createRedis();
  const model = await startScriptedAnthropic(opts);
  const restoreEnv = applyEnv(model.env());
  const generations = mkdtempSync(join(tmpdir(), 'shipyard-gen-'));
  return {
    db,
    redis,
    model,
    generations,
    async close() {
      restoreEnv();
      await model.close();
      await db.$disconnect();
      redis.disconnect();
      await database.drop();
      rmSync(generations, { recursive: true, force: true });
    },
  };
}

/**
 * Registers a describe block's hooks: a harness started once, its unused script steps dropped before each test.
 * The returned object is filled in by beforeAll.
 */
export function useRuntimeHarness(opts: ScriptedOptions = {}): RuntimeHarness {
  const h = useResource(() => startRuntimeHarness(opts), (harness) => harness.close());
  beforeEach(() => h.model.clear());
  return h;
}

/**
 * A harness on the database of a real API with an owner (useApiWithOwner), for tests that drive runs in-process and
 * read them over GraphQL. Filled in by beforeAll.
 */
export function useRuntimeOnApi(): { ctx: { api: TestApi; owner: User }; h: RuntimeHarness } {
  const ctx = useApiWithOwner();
  const h = {} as RuntimeHarness;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    h.db = createPrismaClient(ctx.api.databaseUrl);
    h.redis = createRedis();
    h.model = await startScriptedAnthropic();
    h.generations = ctx.api.generationsDir;
    restoreEnv = applyEnv(h.model.env());
  });
  afterAll(async () => {
    restoreEnv?.();
    await h.model?.close();
    await h.db?.$disconnect();
    h.redis?.disconnect();
  });
  beforeEach(() => h.model.clear());
  return { ctx, h };
}

/** A project created through the API whose initializer already ran (seedInitialized), for useRuntimeOnApi tests. */
export async function seedApiProject(ctx: { api: TestApi; owner: User }, h: RuntimeHarness, name: string, features: string[], passing: boolean[] = []) {
  const created = await createProject(ctx.api, ctx.owner, name);
  const projectId = rawId(created.id);
  const { workspacePath } = await h.db.project.findUniqueOrThrow({ where: { id: projectId } });
  await seedInitialized(h, workspacePath, projectId, features, passing);
  return { globalId: created.id, projectId, workspacePath };
}

/** A project of its own owner with the default agents on the test model, its workspace under the harness's directory. */
export async function seedProject(h: RuntimeHarness, opts: { appSpec?: string; agentOverrides?: Record<string, unknown> } = {}) {
  const { project, userId } = await createProjectRow(h.db, {
    appSpec: opts.appSpec ?? 'A tiny app with three features.',
    workspaceRoot: h.generations,
    agents: { model: TEST_MODEL, ...opts.agentOverrides },
  });
  return { project, user: await h.db.user.findUniqueOrThrow({ where: { id: userId } }) };
}

export async function startRun(h: RuntimeHarness, projectId: string, data: Record<string, unknown> = {}, signal = new AbortController().signal): Promise<{ runId: string; outcome: RunOutcome }> {
  const run = await h.db.agentRun.create({ data: { projectId, status: 'RUNNING', startedAt: new Date(), ...data } });
  const outcome = await continueRun(h, run.id, projectId, signal);
  return { runId: run.id, outcome };
}

export async function continueRun(h: RuntimeHarness, runId: string, projectId: string, signal = new AbortController().signal): Promise<RunOutcome> {
  const events = await createRunEventSink({ db: h.db, redis: h.redis, runId, projectId });
  try {
    return await agentRuntime({ runId, db: h.db, events, signal });
  } finally {
    await events.close().catch(() => undefined);
  }
}

export async function eventsOf(db: PrismaClient, runId: string) {
  return db.agentRunEvent.findMany({ where: { runId }, orderBy: { seq: 'asc' } });
}

/** feature_list.json with one entry per line so a str_replace can flip exactly one. */
export function featureListText(names: string[], passing: boolean[] = []): string {
  const lines = names.map((name, i) => `  {"category": "functional", "description": "${name}", "steps": ["open the app", "check ${name}"], "passes": ${passing[i] ?? false}}`);
  return `[\n${lines.join(',\n')}\n]\n`;
}

/** A project whose initializer already ran: workspace repo, feature_list.json on disk and in the rows. */
export async function seedInitialized(h: RuntimeHarness, workspacePath: string, projectId: string, names: string[], passing: boolean[] = []) {
  const { ensureWorkspace } = await import('../../worker/workspace.js');
  const { writeFileSync } = await import('node:fs');
  const { parseFeatureList } = await import('../../src/features/feature-list.js');
  const { syncFeatureRows } = await import('../../src/features/sync.js');
  await ensureWorkspace(workspacePath, 'spec');
  const text = featureListText(names, passing);
  writeFileSync(join(workspacePath, 'feature_list.json'), text);
  await syncFeatureRows(h.db, projectId, parseFeatureList(text), { passes: 'from-list' });
  return text;
}

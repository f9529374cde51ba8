// Shared steps for the foundation tests: projects, members, feature_list.json in a workspace, database fingerprints.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { gqlOk, signUp, startTestApi, type TestApi } from './api.js';
import { AddProjectMemberDocument, CreateProjectDocument, type CreateProjectMutation } from '../generated/graphql.js';
import type { FeatureEntry } from '../../src/features/feature-list.js';

type Api = { url: string; databaseUrl: string };
export type User = Awaited<ReturnType<typeof signUp>>;
export type CreatedProject = CreateProjectMutation['createProject'];

/** The database id inside a Relay global id ("Type:uuid", base64). */
export const rawId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':').slice(1).join(':');

export async function createProject(api: Api, owner: User, name = 'Todo App'): Promise<CreatedProject> {
  return (await gqlOk(api, CreateProjectDocument, { input: { name, appSpec: 'A todo list' } }, owner.token)).createProject;
}

export async function addMember(api: Api, owner: User, projectId: string, member: User, role: 'OWNER' | 'EDITOR' | 'VIEWER') {
  await gqlOk(api, AddProjectMemberDocument, { input: { projectId, email: member.email, role } }, owner.token);
}

export async function sql<T extends pg.QueryResultRow = any>(api: Api, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: api.databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Writes the project's workspace feature_list.json (entries, or raw text for malformed files). */
export async function writeFeatureList(api: Api, projectId: string, content: FeatureEntry[] | string): Promise<string> {
  const [{ workspacePath }] = await sql<{ workspacePath: string }>(api, 'SELECT "workspacePath" FROM "Project" WHERE id = $1', [rawId(projectId)]);
  await mkdir(workspacePath, { recursive: true });
  const path = join(workspacePath, 'feature_list.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/**
 * Marks features passing in the rows directly, as a verified run would: the API's syncFeatures never takes passes
 * from the file, so tests that only need passing rows as data set them here.
 */
export async function setFeaturesPassing(api: Api, projectId: string, indices: number[]): Promise<void> {
  await sql(api, 'UPDATE "Feature" SET passes = true, "passedAt" = now() WHERE "projectId" = $1 AND index = ANY($2::int[])', [rawId(projectId), indices]);
}

export const feature = (n: number, passes = false): FeatureEntry => ({
  category: n % 3 ? 'functional' : 'style',
  description: `Feature number ${n}`,
  steps: [`open page ${n}`, `check result ${n}`],
  passes,
});

const DOMAIN_TABLES = ['User', 'Project', 'ProjectMember', 'Feature', 'WorkItem', 'Agent', '_FeatureToWorkItem', 'AgentRun'];

/** A digest of every row of the domain tables: equal before and after means nothing changed. */
export async function fingerprint(api: Api): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of DOMAIN_TABLES) {
    const [row] = await sql(api, `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${table}" t`);
    out[table] = `${row.n}:${row.digest}`;
  }
  return out;
}

/** Project workspaces go under GENERATIONS_DIR; give each test file its own so parallel files never share one. */
export async function useTempGenerationsDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'shipyard-gen-'));
  process.env.GENERATIONS_DIR = dir;
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Registers a test file's hooks for a real API on a fresh database, a temporary GENERATIONS_DIR and one signed-up
 * owner; the returned object is filled in by beforeAll.
 */
export function useApiWithOwner(): { api: TestApi; owner: User } {
  const state = {} as { api: TestApi; owner: User; generations: Awaited<ReturnType<typeof useTempGenerationsDir>> };
  beforeAll(async () => {
    state.generations = await useTempGenerationsDir();
    state.api = await startTestApi();
    state.owner = await signUp(state.api, 'owner');
  });
  afterAll(async () => {
    await state.api?.close();
    await state.generations?.remove();
  });
  return state;
}

// Shared steps for the tests above the API: projects, members and runs created through GraphQL, feature_list.json in
// a workspace, database fingerprints.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { gqlOk, type signUp, type TestApi, type TestApiOptions } from './api.js';
import { useStack } from './stack.js';
import { rawId } from './global-id.js';
import { queryDatabase } from './postgres.js';
import {
  AddProjectMemberDocument,
  CreateProjectDocument,
  StartAgentRunDocument,
  type CreateProjectMutation,
  type StartAgentRunInput,
} from '../generated/graphql.js';
import type { FeatureEntry } from '../../src/features/feature-list.js';

type Api = { url: string; databaseUrl: string };
export type User = Awaited<ReturnType<typeof signUp>>;
export type CreatedProject = CreateProjectMutation['createProject'];

/** Creates a project as `owner` (a scripted worker reads its script from the appSpec: JSON.stringify(script)). */
export async function createProject(api: { url: string }, owner: { token: string }, name = 'Todo App', appSpec = 'A todo list'): Promise<CreatedProject> {
  return (await gqlOk(api, CreateProjectDocument, { input: { name, appSpec } }, owner.token)).createProject;
}

export async function addMember(api: { url: string }, owner: User, projectId: string, member: User, role: 'OWNER' | 'EDITOR' | 'VIEWER') {
  await gqlOk(api, AddProjectMemberDocument, { input: { projectId, email: member.email, role } }, owner.token);
}

/** Starts a run through startAgentRun; returns its global id. */
export async function startAgentRun(api: { url: string }, user: { token: string }, projectId: string, input: Omit<StartAgentRunInput, 'projectId'> = {}): Promise<string> {
  return (await gqlOk(api, StartAgentRunDocument, { input: { projectId, ...input } }, user.token)).startAgentRun.id;
}

export async function sql<T extends pg.QueryResultRow = any>(api: Api, text: string, params: unknown[] = []): Promise<T[]> {
  return (await queryDatabase<T>(api.databaseUrl, text, params)).rows;
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

/** Registers a test file's hooks for a real API on an instance of its own and one signed-up owner (stack.ts). */
export const useApiWithOwner = (opts: TestApiOptions = {}): { api: TestApi; owner: User } => useStack({ api: opts });

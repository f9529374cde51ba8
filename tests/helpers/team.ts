// Registers a test file's hooks for the usual cast of an authorization test: a real API, a project, its owner, a
// VIEWER member and a stranger (no membership). Filled in by beforeAll.
import { beforeAll } from 'vitest';
import { signUp, type TestApi } from './api.js';
import { addMember, createProject, useApiWithOwner, type User } from './foundation.js';

export interface ProjectTeam {
  api: TestApi;
  owner: User;
  viewer: User;
  stranger: User;
  /** The project's global id. */
  projectId: string;
}

export function useProjectTeam(projectName: string): ProjectTeam {
  const ctx = useApiWithOwner();
  const team = {} as ProjectTeam;
  beforeAll(async () => {
    const [viewer, stranger] = await Promise.all([signUp(ctx.api, 'viewer'), signUp(ctx.api, 'stranger')]);
    const project = await createProject(ctx.api, ctx.owner, projectName);
    await addMember(ctx.api, ctx.owner, project.id, viewer, 'VIEWER');
    Object.assign(team, { api: ctx.api, owner: ctx.owner, viewer, stranger, projectId: project.id });
  });
  return team;
}

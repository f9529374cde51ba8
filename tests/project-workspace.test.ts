// A project's workspace belongs to that project: its path comes from the project id, and deleting the project takes
// the workspace out of reach at once, so a project re-created under the same name starts empty.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gqlOk } from './helpers/api.js';
import { createProject, sql, useApiWithOwner } from './helpers/foundation.js';
import { rawId } from './helpers/global-id.js';
import { DeleteProjectDocument } from './generated/graphql.js';

const ctx = useApiWithOwner();

describe('project workspaces', () => {
  it('derives the path from the project id and trashes the workspace with the project', async () => {
    const first = await createProject(ctx.api, ctx.owner, 'Same Name');
    const [{ workspacePath }] = await sql<{ workspacePath: string }>(ctx.api, 'SELECT "workspacePath" FROM "Project" WHERE id = $1', [rawId(first.id)]);
    expect(workspacePath).toBe(join(ctx.api.generationsDir, rawId(first.id)));
    mkdirSync(workspacePath, { recursive: true });
    writeFileSync(join(workspacePath, 'secret.txt'), 'left by the first project');

    await gqlOk(ctx.api, DeleteProjectDocument, { id: first.id }, ctx.owner.token);
    expect(existsSync(workspacePath)).toBe(false);

    const second = await createProject(ctx.api, ctx.owner, 'Same Name');
    const [{ workspacePath: secondPath }] = await sql<{ workspacePath: string }>(ctx.api, 'SELECT "workspacePath" FROM "Project" WHERE id = $1', [rawId(second.id)]);
    expect(secondPath).not.toBe(workspacePath);
    expect(existsSync(secondPath)).toBe(false);
    // Only the trash area is left, and no project id can name it.
    expect(readdirSync(ctx.api.generationsDir).filter((n) => !n.startsWith('.'))).toEqual([]);
  });
});

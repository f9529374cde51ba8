// Read-only access to a project's workspace for VIEWERs: Project.files / Project.file, and Commit.diff.
import { builder } from '../builder.js';
import { conflict, notFound } from '../errors.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { listWorkspace, readWorkspaceFile, MAX_FILE_BYTES, type WorkspaceEntry, type WorkspaceFile } from '../workspace/files.js';
import { readCommitDiff, UnsafeRepositoryError, MAX_DIFF_BYTES, type CommitDiff } from '../workspace/commit-diff.js';

const EntryTypeEnum = builder.enumType('WorkspaceEntryType', { values: ['FILE', 'DIRECTORY', 'SYMLINK', 'OTHER'] as const });

const EntryRef = builder.objectRef<WorkspaceEntry>('WorkspaceEntry').implement({
  description: 'A file or directory in the workspace (symbolic links are listed, never followed).',
  fields: (t) => ({
    name: t.exposeString('name'),
    path: t.exposeString('path', { description: 'Relative to the workspace root.' }),
    type: t.field({ type: EntryTypeEnum, resolve: (e) => e.type }),
    size: t.exposeInt('size'),
  }),
});

const FileRef = builder.objectRef<WorkspaceFile>('WorkspaceFile').implement({
  description: `One file's text (at most ${MAX_FILE_BYTES} bytes).`,
  fields: (t) => ({
    path: t.exposeString('path'),
    size: t.exposeInt('size'),
    truncated: t.exposeBoolean('truncated'),
    binary: t.exposeBoolean('binary', { description: 'The file looks binary; content is empty.' }),
    content: t.exposeString('content'),
  }),
});

const DiffRef = builder.objectRef<CommitDiff>('CommitDiff').implement({
  description: `The commit's diffstat and patch (at most ${MAX_DIFF_BYTES} bytes).`,
  fields: (t) => ({
    patch: t.exposeString('patch'),
    truncated: t.exposeBoolean('truncated', { description: 'The patch was cut at the size limit.' }),
  }),
});

async function workspaceOf(db: PrismaClient, projectId: string): Promise<string> {
  const project = await db.project.findUnique({ where: { id: projectId }, select: { workspacePath: true } });
  if (!project) throw notFound('Project');
  return project.workspacePath;
}

builder.prismaObjectFields('Project', (t) => ({
  files: t.field({
    type: [EntryRef],
    description: 'The entries of a workspace directory ("" = the root; .git is hidden), directories first.',
    args: { path: t.arg.string({ defaultValue: '' }) },
    select: { workspacePath: true },
    resolve: (project, { path }) => listWorkspace(project.workspacePath, path ?? ''),
  }),
  file: t.field({
    type: FileRef,
    description: 'One workspace file, read-only. Symbolic links are refused.',
    args: { path: t.arg.string({ required: true }) },
    select: { workspacePath: true },
    resolve: (project, { path }) => readWorkspaceFile(project.workspacePath, path),
  }),
}));

builder.prismaObjectFields('Commit', (t) => ({
  diff: t.field({
    type: DiffRef,
    nullable: true,
    description: 'null when the commit is no longer in the workspace repository.',
    select: { sha: true, projectId: true },
    resolve: async (commit, _args, ctx) => {
      try {
        return await readCommitDiff(await workspaceOf(ctx.services.db, commit.projectId), commit.sha);
      } catch (error) {
        if (error instanceof UnsafeRepositoryError) throw conflict(`The workspace repository is not read: ${error.message}.`);
        return null;
      }
    },
  }),
}));

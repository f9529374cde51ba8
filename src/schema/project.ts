import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { builder } from '../builder.js';
import { logger } from '../logger.js';
import { trashWorkspace, workspacePathFor } from '../projects/workspace-path.js';
import { slugCandidates } from '../projects/slug.js';
import { defaultAgentsData } from '../agent-config/defaults.js';
import { badInput, notFound } from '../errors.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { UserRef } from './user.js';
import { sentFields } from './sent-fields.js';

const ProjectRoleEnum = builder.enumType('ProjectRole', { values: ['OWNER', 'EDITOR', 'VIEWER'] as const });

export const ProjectRef = builder.prismaNode('Project', {
  id: { field: 'id' },
  // Select mode: only the columns the requested fields need (appSpec can be large).
  select: { id: true },
  authScopes: (project) => ({ member: { projectId: project.id, role: 'VIEWER' } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    slug: t.exposeString('slug'),
    description: t.exposeString('description'),
    appSpec: t.exposeString('appSpec'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    members: t.relation('members', { query: { orderBy: { createdAt: 'asc' } } }),
    viewerRole: t.field({
      type: ProjectRoleEnum,
      nullable: true,
      select: (_args, ctx) => ({ members: { where: { userId: ctx.user?.id ?? '' }, select: { role: true } } }),
      resolve: (project) => project.members[0]?.role ?? null,
    }),
  }),
});

builder.prismaObject('ProjectMember', {
  fields: (t) => ({
    role: t.expose('role', { type: ProjectRoleEnum }),
    user: t.relation('user'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const name = z.string().trim().min(1, 'must not be empty').max(100);
const description = z.string().max(10_000);
const appSpec = z.string().max(200_000);

const CreateProjectInput = builder.inputType('CreateProjectInput', {
  fields: (t) => ({
    name: t.string({ required: true, validate: name }),
    description: t.string({ validate: description }),
    appSpec: t.string({ validate: appSpec }),
  }),
});

const UpdateProjectInput = builder.inputType('UpdateProjectInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: ProjectRef }),
    name: t.string({ validate: name }),
    description: t.string({ validate: description }),
    appSpec: t.string({ validate: appSpec }),
    monthlyBudgetUsd: t.float({ description: 'Spending limit per calendar month (UTC) over all runs; null removes it.', validate: z.number().finite().positive('must be more than 0').max(1_000_000).nullish() }),
    verifyCommand: t.string({ description: "Overrides shipyard.json's verify command; an empty string removes the override.", validate: z.string().trim().max(2_000) }),
    verifierEnabled: t.boolean({ description: 'Whether an independent verifier session checks every claimed feature (default true).' }),
  }),
});

const AddProjectMemberInput = builder.inputType('AddProjectMemberInput', {
  fields: (t) => ({
    projectId: t.globalID({ required: true, for: ProjectRef }),
    email: t.string({ required: true, validate: z.string().trim().toLowerCase().email('must be an email address') }),
    role: t.field({ type: ProjectRoleEnum, required: true }),
  }),
});

const RemoveProjectMemberInput = builder.inputType('RemoveProjectMemberInput', {
  fields: (t) => ({
    projectId: t.globalID({ required: true, for: ProjectRef }),
    userId: t.globalID({ required: true, for: UserRef }),
  }),
});

builder.queryFields((t) => ({
  projects: t.prismaConnection({
    type: 'Project',
    cursor: 'id',
    authScopes: { loggedIn: true },
    description: "Projects the viewer is a member of, newest first.",
    resolve: (query, _root, _args, ctx) =>
      ctx.services.db.project.findMany({ ...query, where: { members: { some: { userId: ctx.user!.id } } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
  project: t.prismaField({
    type: 'Project',
    nullable: true,
    args: { id: t.arg.globalID({ required: true, for: ProjectRef }) },
    authScopes: (_root, { id }) => ({ member: { projectId: id.id, role: 'VIEWER' } }),
    resolve: (query, _root, { id }, ctx) => ctx.services.db.project.findUnique({ ...query, where: { id: id.id } }),
  }),
}));

async function createWithUniqueSlug(projectName: string, create: (slug: string) => Promise<string>): Promise<string> {
  for (const slug of slugCandidates(projectName)) {
    try {
      return await create(slug);
    } catch (error) {
      if ((error as { code?: string }).code !== 'P2002') throw error;
    }
  }
  throw new Error('Could not find a free project slug');
}

builder.mutationFields((t) => ({
  createProject: t.prismaField({
    type: 'Project',
    authScopes: { loggedIn: true },
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const { db } = ctx.services;
      const id = await createWithUniqueSlug(input.name, async (slug) => {
        const projectId = randomUUID();
        const project = await db.project.create({
          data: {
            id: projectId,
            name: input.name.trim(),
            slug,
            description: input.description ?? '',
            appSpec: input.appSpec ?? '',
            workspacePath: workspacePathFor(ctx.services.generationsDir, projectId),
            members: { create: { userId: ctx.user!.id, role: 'OWNER' } },
            agents: { create: defaultAgentsData() },
          },
          select: { id: true },
        });
        return project.id;
      });
      return db.project.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  updateProject: t.prismaField({
    type: 'Project',
    args: { input: t.arg({ type: UpdateProjectInput, required: true }) },
    authScopes: (_root, { input }) => ({ member: { projectId: input.id.id, role: 'EDITOR' } }),
    resolve: (query, _root, { input }, ctx) =>
      ctx.services.db.project.update({
        ...query,
        where: { id: input.id.id },
        data: {
          ...sentFields(input, ['description', 'appSpec', 'verifierEnabled']),
          ...(input.name != null ? { name: input.name.trim() } : {}),
          ...(input.monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd: input.monthlyBudgetUsd } : {}),
          ...(input.verifyCommand != null ? { verifyCommand: input.verifyCommand.trim() || null } : {}),
        },
      }),
  }),
  deleteProject: t.prismaField({
    type: 'Project',
    description: 'Deletes the project and everything in it; returns it as it was.',
    args: { id: t.arg.globalID({ required: true, for: ProjectRef }) },
    authScopes: (_root, { id }) => ({ member: { projectId: id.id, role: 'OWNER' } }),
    resolve: async (query, _root, { id }, ctx) => {
      const { db } = ctx.services;
      const project = await db.project.findUniqueOrThrow({ ...query, where: { id: id.id } });
      const { workspacePath } = await db.project.delete({ where: { id: id.id }, select: { workspacePath: true } });
      trashWorkspace(ctx.services.generationsDir, workspacePath, (error) => logger.warn({ err: error, projectId: id.id }, 'could not remove a deleted project\'s workspace'));
      return project;
    },
  }),
  addProjectMember: t.prismaField({
    type: 'ProjectMember',
    description: "Adds a user by email, or changes an existing member's role.",
    args: { input: t.arg({ type: AddProjectMemberInput, required: true }) },
    authScopes: (_root, { input }) => ({ member: { projectId: input.projectId.id, role: 'OWNER' } }),
    resolve: async (query, _root, { input }, ctx) => {
      const { db } = ctx.services;
      const user = await db.user.findUnique({ where: { email: input.email.trim().toLowerCase() } });
      if (!user) throw notFound('User with that email');
      const projectId = input.projectId.id;
      if (input.role !== 'OWNER') await assertAnotherOwner(db, projectId, user.id);
      return db.projectMember.upsert({
        ...query,
        where: { projectId_userId: { projectId, userId: user.id } },
        create: { projectId, userId: user.id, role: input.role },
        update: { role: input.role },
      });
    },
  }),
  removeProjectMember: t.prismaField({
    type: 'ProjectMember',
    args: { input: t.arg({ type: RemoveProjectMemberInput, required: true }) },
    authScopes: (_root, { input }) => ({ member: { projectId: input.projectId.id, role: 'OWNER' } }),
    resolve: async (query, _root, { input }, ctx) => {
      const { db } = ctx.services;
      const key = { projectId_userId: { projectId: input.projectId.id, userId: input.userId.id } };
      const member = await db.projectMember.findUnique({ ...query, where: key });
      if (!member) throw notFound('Project member');
      await assertAnotherOwner(db, input.projectId.id, input.userId.id);
      await db.projectMember.delete({ where: key });
      return member;
    },
  }),
}));

/** A project always keeps at least one owner. */
async function assertAnotherOwner(db: PrismaClient, projectId: string, leavingUserId: string) {
  const owners = await db.projectMember.count({ where: { projectId, role: 'OWNER', userId: { not: leavingUserId } } });
  const wasOwner = await db.projectMember.count({ where: { projectId, role: 'OWNER', userId: leavingUserId } });
  if (wasOwner && owners === 0) throw badInput('A project must keep at least one OWNER.');
}

// Work items: Jira-like epics, stories, tasks and bugs with keys like SLUG-12, a status workflow and links to features.
import { z } from 'zod';
import { builder } from '../builder.js';
import { badInput, notFound } from '../errors.js';
import type { Prisma, WorkItemStatus, WorkItemType } from '../generated/prisma/client.js';
import { ProjectRef } from './project.js';
import { FeatureRef } from './feature.js';
import { AgentRef } from './agent.js';
import { isUuid } from './uuid.js';
import { memberOfOwner } from './owning-project.js';
import { sentFields } from './sent-fields.js';
import { readThenDelete } from './read-then-delete.js';
import { lockRow } from '../db/row-lock.js';

const WorkItemTypeEnum = builder.enumType('WorkItemType', { values: ['EPIC', 'STORY', 'TASK', 'BUG'] as const });
const WorkItemStatusEnum = builder.enumType('WorkItemStatus', {
  values: ['TODO', 'IN_PROGRESS', 'IN_REVIEW', 'DONE', 'CANCELLED'] as const,
});
const WorkItemPriorityEnum = builder.enumType('WorkItemPriority', { values: ['LOWEST', 'LOW', 'MEDIUM', 'HIGH', 'HIGHEST'] as const });

/** TODO → IN_PROGRESS → IN_REVIEW → DONE, one step back where work resumes, CANCELLED from any non-final state. */
const NEXT_STATUSES: Record<WorkItemStatus, WorkItemStatus[]> = {
  TODO: ['IN_PROGRESS', 'CANCELLED'],
  IN_PROGRESS: ['TODO', 'IN_REVIEW', 'CANCELLED'],
  IN_REVIEW: ['IN_PROGRESS', 'DONE', 'CANCELLED'],
  DONE: [],
  CANCELLED: [],
};

function assertStatusTransition(from: WorkItemStatus, to: WorkItemStatus) {
  if (from === to || NEXT_STATUSES[from].includes(to)) return;
  const allowed = NEXT_STATUSES[from];
  throw badInput(
    `A work item cannot move from ${from} to ${to}` + (allowed.length ? ` (allowed: ${allowed.join(', ')}).` : ` (${from} is final).`),
    'status',
  );
}

/** Epics group stories, tasks and bugs; stories group tasks and bugs; tasks and bugs are leaves. */
const ALLOWED_CHILDREN: Record<WorkItemType, WorkItemType[]> = {
  EPIC: ['STORY', 'TASK', 'BUG'],
  STORY: ['TASK', 'BUG'],
  TASK: [],
  BUG: [],
};

function assertHierarchy(parentType: WorkItemType, childType: WorkItemType) {
  if (!ALLOWED_CHILDREN[parentType].includes(childType)) {
    throw badInput(`A work item of type ${parentType} cannot be the parent of one of type ${childType}.`, 'parentId');
  }
}

export const WorkItemRef = builder.prismaNode('WorkItem', {
  id: { field: 'id' },
  // Select mode: each query loads only the columns the requested fields need (projectId for the auth check), plus
  // the short key and title every list shows, resolved from the row directly (see FeatureRef).
  select: { id: true, projectId: true, key: true, title: true },
  authScopes: (item) => ({ member: { projectId: item.projectId, role: 'VIEWER' } }),
  fields: (t) => ({
    key: t.string({ description: 'Project slug and number, e.g. TODOAPP-12; unique per project.', resolve: (item) => item.key }),
    number: t.exposeInt('number'),
    type: t.expose('type', { type: WorkItemTypeEnum }),
    title: t.string({ resolve: (item) => item.title }),
    description: t.exposeString('description'),
    status: t.expose('status', { type: WorkItemStatusEnum }),
    priority: t.expose('priority', { type: WorkItemPriorityEnum }),
    project: t.relation('project'),
    parent: t.relation('parent', { nullable: true }),
    children: t.relation('children', { query: { orderBy: { number: 'asc' } } }),
    features: t.relation('features', { query: { orderBy: { index: 'asc' } } }),
    assigneeAgent: t.relation('assigneeAgent', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectFields(ProjectRef, (t) => ({
  workItems: t.relatedConnection('workItems', {
    cursor: 'id',
    totalCount: true,
    description: 'Work items by number; filter by status and/or type.',
    args: { status: t.arg({ type: WorkItemStatusEnum }), type: t.arg({ type: WorkItemTypeEnum }) },
    query: (args) => ({
      where: { ...(args.status ? { status: args.status } : {}), ...(args.type ? { type: args.type } : {}) },
      orderBy: { number: 'asc' },
    }),
  }),
}));

builder.prismaObjectField(FeatureRef, 'workItems', (t) => t.relation('workItems', { query: { orderBy: { number: 'asc' } } }));

const title = z.string().trim().min(1, 'must not be empty').max(300);
const description = z.string().max(50_000);
const featureIdLimit = z.array(z.unknown()).max(500, 'at most 500 features');

const CreateWorkItemInput = builder.inputType('CreateWorkItemInput', {
  fields: (t) => ({
    projectId: t.globalID({ required: true, for: ProjectRef }),
    type: t.field({ type: WorkItemTypeEnum, required: true }),
    title: t.string({ required: true, validate: title }),
    description: t.string({ validate: description }),
    parentId: t.globalID({ for: WorkItemRef }),
    priority: t.field({ type: WorkItemPriorityEnum }),
    featureIds: t.globalIDList({ for: FeatureRef, validate: featureIdLimit }),
    assigneeAgentId: t.globalID({ for: AgentRef }),
  }),
});

const UpdateWorkItemInput = builder.inputType('UpdateWorkItemInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: WorkItemRef }),
    type: t.field({ type: WorkItemTypeEnum }),
    title: t.string({ validate: title }),
    description: t.string({ validate: description }),
    status: t.field({ type: WorkItemStatusEnum }),
    priority: t.field({ type: WorkItemPriorityEnum }),
    parentId: t.globalID({ for: WorkItemRef, description: 'null detaches the item from its parent.' }),
    featureIds: t.globalIDList({ for: FeatureRef, validate: featureIdLimit, description: 'Replaces the linked features.' }),
    assigneeAgentId: t.globalID({ for: AgentRef, description: 'null unassigns.' }),
  }),
});

async function assertFeaturesInProject(tx: Prisma.TransactionClient, projectId: string, featureIds: string[]) {
  const unique = [...new Set(featureIds)];
  if (!unique.every(isUuid)) throw badInput('Every feature must belong to this project.', 'featureIds');
  const found = await tx.feature.count({ where: { projectId, id: { in: unique } } });
  if (found !== unique.length) throw badInput('Every feature must belong to this project.', 'featureIds');
  return unique;
}

async function assertAgentInProject(tx: Prisma.TransactionClient, projectId: string, agentId: string) {
  if (!isUuid(agentId)) throw badInput('The assignee agent must belong to this project.', 'assigneeAgentId');
  const agent = await tx.agent.findFirst({ where: { id: agentId, projectId }, select: { id: true } });
  if (!agent) throw badInput('The assignee agent must belong to this project.', 'assigneeAgentId');
}

async function loadParent(tx: Prisma.TransactionClient, projectId: string, parentId: string) {
  if (!isUuid(parentId)) throw badInput('The parent must be a work item of the same project.', 'parentId');
  const parent = await tx.workItem.findFirst({ where: { id: parentId, projectId }, select: { id: true, type: true } });
  if (!parent) throw badInput('The parent must be a work item of the same project.', 'parentId');
  return parent;
}

builder.mutationFields((t) => ({
  createWorkItem: t.prismaField({
    type: 'WorkItem',
    args: { input: t.arg({ type: CreateWorkItemInput, required: true }) },
    authScopes: (_root, { input }) => ({ member: { projectId: input.projectId.id, role: 'EDITOR' } }),
    resolve: async (query, _root, { input }, ctx) => {
      const { db } = ctx.services;
      const projectId = input.projectId.id;
      const id = await db.$transaction(async (tx) => {
        if (input.parentId) assertHierarchy((await loadParent(tx, projectId, input.parentId.id)).type, input.type);
        const featureIds = input.featureIds ? await assertFeaturesInProject(tx, projectId, input.featureIds.map((f) => f.id)) : [];
        if (input.assigneeAgentId) await assertAgentInProject(tx, projectId, input.assigneeAgentId.id);
        // The increment locks the project row, so concurrent creates get consecutive, unique numbers.
        const project = await tx.project.update({
          where: { id: projectId },
          data: { workItemSeq: { increment: 1 } },
          select: { slug: true, workItemSeq: true },
        });
        const item = await tx.workItem.create({
          data: {
            projectId,
            number: project.workItemSeq,
            key: `${project.slug}-${project.workItemSeq}`,
            type: input.type,
            title: input.title.trim(),
            description: input.description ?? '',
            priority: input.priority ?? 'MEDIUM',
            parentId: input.parentId?.id ?? null,
            assigneeAgentId: input.assigneeAgentId?.id ?? null,
            features: { connect: featureIds.map((featureId) => ({ id: featureId })) },
          },
          select: { id: true },
        });
        return item.id;
      });
      return db.workItem.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  updateWorkItem: t.prismaField({
    type: 'WorkItem',
    args: { input: t.arg({ type: UpdateWorkItemInput, required: true }) },
    authScopes: (_root, { input }, ctx) => memberOfOwner(ctx.services.db, 'WorkItem', input.id.id, 'EDITOR'),
    resolve: async (query, _root, { input }, ctx) => {
      const { db } = ctx.services;
      await db.$transaction(async (tx) => {
        if (!(await lockRow(tx, 'WorkItem', input.id.id))) throw notFound('Work item');
        const current = await tx.workItem.findUniqueOrThrow({
          where: { id: input.id.id },
          select: { projectId: true, type: true, status: true, parentId: true, children: { select: { type: true } } },
        });
        const type = input.type ?? current.type;
        if (input.status) assertStatusTransition(current.status, input.status);
        const parentId = input.parentId === undefined ? current.parentId : (input.parentId?.id ?? null);
        if (parentId === input.id.id) throw badInput('A work item cannot be its own parent.', 'parentId');
        if (parentId && (parentId !== current.parentId || type !== current.type)) {
          assertHierarchy((await loadParent(tx, current.projectId, parentId)).type, type);
        }
        if (type !== current.type) for (const child of current.children) assertHierarchy(type, child.type);
        const featureIds = input.featureIds ? await assertFeaturesInProject(tx, current.projectId, input.featureIds.map((f) => f.id)) : null;
        if (input.assigneeAgentId) await assertAgentInProject(tx, current.projectId, input.assigneeAgentId.id);
        await tx.workItem.update({
          where: { id: input.id.id },
          data: {
            type,
            parentId,
            ...sentFields(input, ['description', 'status', 'priority']),
            ...(input.title != null ? { title: input.title.trim() } : {}),
            ...(input.assigneeAgentId !== undefined ? { assigneeAgentId: input.assigneeAgentId?.id ?? null } : {}),
            ...(featureIds ? { features: { set: featureIds.map((featureId) => ({ id: featureId })) } } : {}),
          },
        });
      });
      return db.workItem.findUniqueOrThrow({ ...query, where: { id: input.id.id } });
    },
  }),
  deleteWorkItem: t.prismaField({
    type: 'WorkItem',
    description: 'Deletes the item (its children are detached, not deleted); returns it as it was.',
    args: { id: t.arg.globalID({ required: true, for: WorkItemRef }) },
    authScopes: (_root, { id }, ctx) => memberOfOwner(ctx.services.db, 'WorkItem', id.id, 'EDITOR'),
    resolve: (query, _root, { id }, ctx) =>
      readThenDelete(
        'Work item',
        () => ctx.services.db.workItem.findUnique({ ...query, where: { id: id.id } }),
        () => ctx.services.db.workItem.delete({ where: { id: id.id } }),
      ),
  }),
}));

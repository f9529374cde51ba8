// Features: one row per feature_list.json entry. Project.features, Project.featureStats and syncFeatures.
import { builder } from '../builder.js';
import type { FeatureStats } from '../db/sql/feature-stats.js';
import { notFound } from '../errors.js';
import { syncFeatureRows, type FeatureChange, type FeatureSyncResult, type RemovedFeature } from '../features/sync.js';
import { readWorkspaceFeatureList } from '../features/workspace-feature-list.js';
import { ProjectRef } from './project.js';


export const FeatureRef = builder.prismaNode('Feature', {
  id: { field: 'id' },
  // Select mode: each query loads only the columns the requested fields need (projectId for the auth check), plus
  // the two small ones every feature list shows. Those are resolved from the row directly: an exposed column of a
  // select-mode type is resolved through the prisma plugin's per-row loader-mapping lookup, which costs more than
  // selecting an int and a boolean up front.
  select: { id: true, projectId: true, index: true, passes: true },
  authScopes: (feature) => ({ member: { projectId: feature.projectId, role: 'VIEWER' } }),
  fields: (t) => ({
    index: t.int({ description: 'Position in feature_list.json: its identity and priority.', resolve: (feature) => feature.index }),
    category: t.exposeString('category'),
    description: t.exposeString('description'),
    steps: t.exposeStringList('steps'),
    passes: t.boolean({ resolve: (feature) => feature.passes }),
    passedAt: t.expose('passedAt', { type: 'DateTime', nullable: true }),
    contentHash: t.exposeString('contentHash', { description: 'SHA-256 of category, description and steps.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    project: t.relation('project'),
  }),
});

const FeatureStatsRef = builder.objectRef<FeatureStats>('FeatureStats').implement({
  fields: (t) => ({
    total: t.exposeInt('total'),
    passing: t.exposeInt('passing'),
    failing: t.int({ resolve: (stats) => stats.total - stats.passing }),
  }),
});

builder.prismaObjectFields(ProjectRef, (t) => ({
  features: t.relatedConnection('features', {
    cursor: 'id',
    maxSize: 1000,
    totalCount: true,
    description: 'The feature list in order (by index); `passes` filters passing or failing ones.',
    args: { passes: t.arg.boolean() },
    query: (args) => ({ where: args.passes == null ? {} : { passes: args.passes }, orderBy: { index: 'asc' } }),
  }),
  featureStats: t.field({
    type: FeatureStatsRef,
    resolve: (project, _args, ctx) => ctx.loaders.featureStats.load(project.id),
  }),
}));

const FeatureChangeRef = builder.objectRef<FeatureChange & { projectId: string }>('FeatureChange').implement({
  fields: (t) => ({
    index: t.exposeInt('index'),
    contentChanged: t.exposeBoolean('contentChanged', { description: 'category, description or steps changed.' }),
    passesChanged: t.exposeBoolean('passesChanged'),
    passes: t.exposeBoolean('passes'),
  }),
});

const RemovedFeatureRef = builder.objectRef<RemovedFeature>('RemovedFeature').implement({
  description: 'A row deleted because feature_list.json no longer has an entry at its index.',
  fields: (t) => ({
    index: t.exposeInt('index'),
    description: t.exposeString('description'),
  }),
});

interface SyncPayload {
  projectId: string;
  result: FeatureSyncResult;
}

const SyncFeaturesPayloadRef = builder.objectRef<SyncPayload>('SyncFeaturesPayload').implement({
  fields: (t) => ({
    project: t.prismaField({
      type: 'Project',
      resolve: (query, payload, _args, ctx) => ctx.services.db.project.findUniqueOrThrow({ ...query, where: { id: payload.projectId } }),
    }),
    added: t.prismaField({
      type: ['Feature'],
      description: 'Rows created for entries that had none.',
      resolve: (query, { projectId, result }, _args, ctx) =>
        ctx.services.db.feature.findMany({ ...query, where: { projectId, index: { in: result.added } }, orderBy: { index: 'asc' } }),
    }),
    changed: t.field({
      type: [FeatureChangeRef],
      resolve: ({ projectId, result }) => result.changed.map((change) => ({ ...change, projectId })),
    }),
    removed: t.field({ type: [RemovedFeatureRef], resolve: ({ result }) => result.removed }),
    addedCount: t.int({ resolve: ({ result }) => result.counts.added }),
    changedCount: t.int({ resolve: ({ result }) => result.counts.changed }),
    removedCount: t.int({ resolve: ({ result }) => result.counts.removed }),
    unchangedCount: t.int({ resolve: ({ result }) => result.counts.unchanged }),
    newlyPassing: t.intList({ description: 'Indices whose passes became true in this sync (always empty for this mutation: only a verified run flips passes).', resolve: ({ result }) => result.newlyPassing }),
    unverifiedClaims: t.intList({
      description: 'Indices the file claims as passing while their rows stay failing: the sync ignores passes, a feature passes only when a run verifies it.',
      resolve: ({ result }) => result.unverifiedClaims,
    }),
    featureStats: t.field({
      type: FeatureStatsRef,
      resolve: ({ result }) => ({ total: result.counts.total, passing: result.counts.passing }),
    }),
  }),
});

builder.objectField(FeatureChangeRef, 'feature', (t) =>
  t.prismaField({
    type: 'Feature',
    resolve: (query, change, _args, ctx) =>
      ctx.services.db.feature.findUniqueOrThrow({ ...query, where: { projectId_index: { projectId: change.projectId, index: change.index } } }),
  }),
);

builder.mutationField('syncFeatures', (t) =>
  t.field({
    type: SyncFeaturesPayloadRef,
    description:
      "Mirrors the workspace's feature_list.json into the feature rows (entries added, reworded or removed, by index and content hash; ids kept) and reports what changed. " +
      'passes is never taken from the file: existing rows keep theirs, new rows start failing, and claims the file makes are listed in unverifiedClaims.',
    args: { projectId: t.arg.globalID({ required: true, for: ProjectRef }) },
    authScopes: (_root, { projectId }) => ({ member: { projectId: projectId.id, role: 'EDITOR' } }),
    resolve: async (_root, { projectId }, ctx) => {
      const { db } = ctx.services;
      const project = await db.project.findUnique({ where: { id: projectId.id }, select: { id: true, workspacePath: true } });
      if (!project) throw notFound('Project');
      const entries = readWorkspaceFeatureList(project.workspacePath);
      return { projectId: project.id, result: await syncFeatureRows(db, project.id, entries, { passes: 'keep-rows' }) };
    },
  }),
);

// Agent runs: start/stop, the run node with usage, sessions and events, and the live event subscriptions.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import { builder } from '../builder.js';
import { RUN_STATUSES, EVENT_TYPES, type RunEvent } from '../events/types.js';
import { loadRunEvents } from '../events/replay.js';
import { streamRunEventBatches } from '../subscriptions/run-stream.js';
import { streamProjectEvents } from '../subscriptions/project-stream.js';
import { abortable } from '../subscriptions/live-buffer.js';
import { EventBatchStream } from '../subscriptions/batch.js';
import { startRun } from '../runs/start.js';
import { stopRun } from '../runs/stop.js';
import { ProjectRef } from './project.js';
import { AgentRef } from './agent.js';
import { WorkItemRef } from './work-item.js';
import { AgentRoleEnum } from './agent.js';
import { UsageRef, usageOf } from './usage.js';
import { memberOfOwner, owningProjectId } from './owning-project.js';

export const AgentRunStatusEnum = builder.enumType('AgentRunStatus', {
  values: {
    QUEUED: { description: 'Waiting for a worker.' },
    RUNNING: { description: 'A worker is running its sessions.' },
    INTERRUPTED: { description: 'Its worker went away mid-run; it resumes from its last finished session.' },
    SUCCEEDED: { description: 'Every feature passes.' },
    STOPPED: { description: 'A limit ended it (see stopReason: budget, max_sessions, no_progress, ...).' },
    FAILED: { description: 'An unrecoverable error ended it (see error).' },
    CANCELLED: { description: 'Stopped by a user.' },
    PAUSED: { description: 'Parked with a checkpoint, holding no worker (see pausedReason: user, budget, rate_limited); resumeAgentRun continues it.' },
  } satisfies Record<(typeof RUN_STATUSES)[number], { description: string }>,
});

const AgentRunEventTypeEnum = builder.enumType('AgentRunEventType', { values: EVENT_TYPES });

export const AgentRunEventRef = builder.objectRef<RunEvent>('AgentRunEvent').implement({
  description: 'One event of a run. seq is 1, 2, 3, … per run with no holes.',
  fields: (t) => ({
    id: t.id({ resolve: (e) => encodeGlobalID('AgentRunEvent', `${e.runId}:${e.seq}`) }),
    runId: t.id({ description: 'Global ID of the AgentRun.', resolve: (e) => encodeGlobalID('AgentRun', e.runId) }),
    seq: t.exposeInt('seq'),
    type: t.field({ type: AgentRunEventTypeEnum, resolve: (e) => e.type }),
    payload: t.field({ type: 'JSON', resolve: (e) => e.payload }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => new Date(e.createdAt) }),
  }),
});

builder.prismaObject('AgentSession', {
  description: 'One session of a run (a fresh model context).',
  fields: (t) => ({
    number: t.exposeInt('number'),
    kind: t.expose('kind', { type: AgentRoleEnum }),
    turns: t.exposeInt('turns'),
    stopReason: t.exposeString('stopReason', { nullable: true }),
    newlyPassing: t.exposeInt('newlyPassing', { description: 'Features that started passing in this session.' }),
    usage: t.field({ type: UsageRef, resolve: usageOf }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  }),
});

export const AgentRunRef = builder.prismaNode('AgentRun', {
  id: { field: 'id' },
  authScopes: (run) => ({ member: { projectId: run.projectId, role: 'VIEWER' } }),
  fields: (t) => ({
    status: t.expose('status', { type: AgentRunStatusEnum }),
    stopRequested: t.exposeBoolean('stopRequested'),
    pauseRequested: t.exposeBoolean('pauseRequested', { description: 'A pause was asked for; the worker pauses after the current turn.' }),
    pausedReason: t.exposeString('pausedReason', { nullable: true, description: 'Why it is PAUSED: user, budget or rate_limited.' }),
    resumeAt: t.expose('resumeAt', { type: 'DateTime', nullable: true, description: 'When a rate-limited run resumes by itself.' }),
    stopReason: t.exposeString('stopReason', { nullable: true }),
    error: t.exposeString('error', { nullable: true }),
    maxSessions: t.exposeInt('maxSessions', { nullable: true }),
    budgetUsd: t.float({ nullable: true, resolve: (run) => (run.budgetUsd == null ? null : Number(run.budgetUsd)) }),
    sessionsCompleted: t.exposeInt('sessionsCompleted'),
    usage: t.field({ type: UsageRef, resolve: usageOf }),
    queuedAt: t.expose('queuedAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    project: t.relation('project'),
    agent: t.relation('agent', { nullable: true }),
    workItem: t.relation('workItem', { nullable: true }),
    sessions: t.relation('sessions', { query: { orderBy: { number: 'asc' } } }),
    events: t.field({
      type: [AgentRunEventRef],
      description: 'Persisted events with seq > afterSeq, in order (at most `first`, default 100, max 500).',
      args: {
        afterSeq: t.arg.int({ validate: z.number().int().min(0) }),
        first: t.arg.int({ validate: z.number().int().min(1).max(500) }),
      },
      resolve: (run, args, ctx) => loadRunEvents(ctx.services.db, run, { afterSeq: args.afterSeq ?? 0, limit: args.first ?? 100 }),
    }),
  }),
});

builder.prismaObjectFields(ProjectRef, (t) => ({
  agentRuns: t.relatedConnection('runs', {
    cursor: 'id',
    maxSize: 100,
    description: 'Runs of this project, newest first; `status` filters.',
    args: { status: t.arg({ type: AgentRunStatusEnum }) },
    query: (args) => ({ where: args.status ? { status: args.status } : {}, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}));

const StartAgentRunInput = builder.inputType('StartAgentRunInput', {
  fields: (t) => ({
    projectId: t.globalID({ required: true, for: ProjectRef }),
    agentId: t.globalID({ for: AgentRef, description: "Defaults to the runtime's choice for the project's state." }),
    workItemId: t.globalID({ for: WorkItemRef }),
    maxSessions: t.int({ validate: z.number().int().min(1, 'must be at least 1').max(10_000) }),
    budgetUsd: t.float({ validate: z.number().finite().positive('must be more than 0').max(100_000) }),
  }),
});

builder.queryFields((t) => ({
  agentRun: t.prismaField({
    type: 'AgentRun',
    nullable: true,
    args: { id: t.arg.globalID({ required: true, for: AgentRunRef }) },
    authScopes: (_root, { id }, ctx) => memberOfOwner(ctx.services.db, 'AgentRun', id.id, 'VIEWER'),
    resolve: (query, _root, { id }, ctx) => ctx.services.db.agentRun.findUnique({ ...query, where: { id: id.id } }),
  }),
}));

builder.mutationFields((t) => ({
  startAgentRun: t.prismaField({
    type: 'AgentRun',
    description: 'Queues a run for the project. A project has at most one QUEUED/RUNNING/INTERRUPTED run (else CONFLICT).',
    args: { input: t.arg({ type: StartAgentRunInput, required: true }) },
    authScopes: (_root, { input }) => ({ member: { projectId: input.projectId.id, role: 'EDITOR' } }),
    resolve: async (query, _root, { input }, ctx) => {
      const { db, runQueue } = ctx.services;
      const id = await startRun(db, runQueue, {
        projectId: input.projectId.id,
        agentId: input.agentId?.id,
        workItemId: input.workItemId?.id,
        maxSessions: input.maxSessions,
        budgetUsd: input.budgetUsd,
        startedById: ctx.user!.id,
      });
      return db.agentRun.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  stopAgentRun: t.prismaField({
    type: 'AgentRun',
    description: 'Stops an active run (CANCELLED, normally within a second). A finished run is a CONFLICT.',
    args: { id: t.arg.globalID({ required: true, for: AgentRunRef }) },
    authScopes: (_root, { id }, ctx) => memberOfOwner(ctx.services.db, 'AgentRun', id.id, 'EDITOR'),
    resolve: async (query, _root, { id }, ctx) => {
      const { db, redis, events, runQueue } = ctx.services;
      await stopRun({ db, redis, events, runQueue }, id.id);
      return db.agentRun.findUniqueOrThrow({ ...query, where: { id: id.id } });
    },
  }),
}));

builder.subscriptionFields((t) => ({
  agentRunEvents: t.field({
    type: AgentRunEventRef,
    description:
      'Every event of the run with seq > afterSeq, exactly once and in order: replayed from Postgres, then live. ' +
      'Completes after the COMPLETE event. Reconnect with the last seq you saw.',
    args: {
      runId: t.arg.globalID({ required: true, for: AgentRunRef }),
      afterSeq: t.arg.int({ validate: z.number().int().min(0) }),
    },
    authScopes: (_root, { runId }, ctx) => memberOfOwner(ctx.services.db, 'AgentRun', runId.id, 'VIEWER'),
    subscribe: async (_root, { runId, afterSeq }, ctx) => {
      const { db, events: hub, memberships } = ctx.services;
      const run = { id: runId.id, projectId: await owningProjectId(db, 'AgentRun', runId.id) };
      // The viewer (and the role `authorize` requires): caught-up streams of one viewer share its answer per batch.
      const viewer = `${ctx.user!.id}|${run.projectId}|VIEWER`;
      return new EventBatchStream(
        abortable((signal) => {
          const authorize = memberships.check(db, ctx.user!.id, run.projectId, 'VIEWER', signal);
          return streamRunEventBatches({ db, hub, run, afterSeq: afterSeq ?? 0, signal, authorize, viewer, live: ctx.live });
        }),
      );
    },
    resolve: (event) => event,
  }),
  projectEvents: t.field({
    type: AgentRunEventRef,
    description: 'Live events of every run of the project (no replay: use agentRunEvents for a run’s history).',
    args: { projectId: t.arg.globalID({ required: true, for: ProjectRef }) },
    authScopes: (_root, { projectId }) => ({ member: { projectId: projectId.id, role: 'VIEWER' } }),
    subscribe: (_root, { projectId }, ctx) => {
      const { db, events: hub, memberships } = ctx.services;
      return new EventBatchStream(
        abortable((signal) => {
          const authorize = memberships.check(db, ctx.user!.id, projectId.id, 'VIEWER', signal);
          return streamProjectEvents({ hub, projectId: projectId.id, signal, authorize, live: ctx.live });
        }),
      );
    },
    resolve: (event) => event,
  }),
}));

// Steering a run: pause, resume, change its budget, and messages from people to the agent.
import { z } from 'zod';
import { builder } from '../builder.js';
import { conflict } from '../errors.js';
import { FINAL_RUN_STATUSES, type RunStatus } from '../events/types.js';
import { pauseRun, resumeRun } from '../runs/pause.js';
import { MAX_RUN_MESSAGE_CHARS, sendRunMessage } from '../runs/messages.js';
import type { Context } from '../request-context.js';
import { AgentRunRef } from './agent-run.js';
import { memberOfOwner } from './owning-project.js';

const editorOfRun = (ctx: Context, runId: string) => memberOfOwner(ctx.services.db, 'AgentRun', runId, 'EDITOR');

builder.prismaObject('RunMessage', {
  description: 'A message a person sent to a run; the agent reads it before its next model call.',
  fields: (t) => ({
    id: t.exposeID('id'),
    text: t.exposeString('text'),
    author: t.relation('author', { nullable: true }),
    run: t.relation('run', { description: 'The run it was delivered to (for a finished run: the new run that continues it).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: 'When the agent received it.' }),
  }),
});

builder.prismaObjectFields(AgentRunRef, (t) => ({
  messages: t.relation('messages', { description: 'Messages people sent to this run, oldest first.', query: { orderBy: { createdAt: 'asc' } } }),
}));

const UpdateAgentRunInput = builder.inputType('UpdateAgentRunInput', {
  fields: (t) => ({
    budgetUsd: t.float({ validate: z.number().finite().positive('must be more than 0').max(100_000) }),
  }),
});

builder.mutationFields((t) => ({
  pauseAgentRun: t.prismaField({
    type: 'AgentRun',
    description: 'Pauses an active run after its current turn (checkpointed, PAUSED, holding no worker). Idempotent on a PAUSED run.',
    args: { id: t.arg.globalID({ required: true, for: AgentRunRef }) },
    authScopes: (_root, { id }, ctx) => editorOfRun(ctx, id.id),
    resolve: async (query, _root, { id }, ctx) => {
      const { db, redis, runQueue } = ctx.services;
      await pauseRun({ db, redis, runQueue }, id.id);
      return db.agentRun.findUniqueOrThrow({ ...query, where: { id: id.id } });
    },
  }),
  resumeAgentRun: t.prismaField({
    type: 'AgentRun',
    description: 'Continues a PAUSED run from its checkpoint, on any worker (QUEUED until one takes it).',
    args: { id: t.arg.globalID({ required: true, for: AgentRunRef }) },
    authScopes: (_root, { id }, ctx) => editorOfRun(ctx, id.id),
    resolve: async (query, _root, { id }, ctx) => {
      const { db, redis, runQueue } = ctx.services;
      await resumeRun({ db, redis, runQueue }, id.id, `by ${ctx.user!.name}`);
      return db.agentRun.findUniqueOrThrow({ ...query, where: { id: id.id } });
    },
  }),
  updateAgentRun: t.prismaField({
    type: 'AgentRun',
    description: "Changes a run's limits (e.g. raise the budget of a run PAUSED by it, then resume). A finished run is a CONFLICT.",
    args: { id: t.arg.globalID({ required: true, for: AgentRunRef }), input: t.arg({ type: UpdateAgentRunInput, required: true }) },
    authScopes: (_root, { id }, ctx) => editorOfRun(ctx, id.id),
    resolve: async (query, _root, { id, input }, ctx) => {
      const { db } = ctx.services;
      const run = await db.agentRun.findUniqueOrThrow({ where: { id: id.id }, select: { status: true } });
      if (FINAL_RUN_STATUSES.includes(run.status as RunStatus)) throw conflict(`This run already finished (${run.status}).`);
      await db.agentRun.update({ where: { id: id.id }, data: input.budgetUsd == null ? {} : { budgetUsd: input.budgetUsd } });
      return db.agentRun.findUniqueOrThrow({ ...query, where: { id: id.id } });
    },
  }),
  sendRunMessage: t.prismaField({
    type: 'RunMessage',
    description:
      'Sends a message to the agent: delivered as a user message before its next model call (a USER_MESSAGE event records it). ' +
      'A PAUSED run is resumed with it; a finished run is continued by a new run with the same settings that starts with it ' +
      '(CONFLICT while another run of the project is active).',
    args: {
      runId: t.arg.globalID({ required: true, for: AgentRunRef }),
      text: t.arg.string({ required: true, validate: z.string().trim().min(1, 'must not be empty').max(MAX_RUN_MESSAGE_CHARS) }),
    },
    authScopes: (_root, { runId }, ctx) => editorOfRun(ctx, runId.id),
    resolve: async (query, _root, { runId, text }, ctx) => {
      const { db, redis, runQueue } = ctx.services;
      const user = ctx.user!;
      const messageId = await sendRunMessage({ db, redis, runQueue }, runId.id, { id: user.id, name: user.name }, text.trim());
      return db.runMessage.findUniqueOrThrow({ ...query, where: { id: messageId } });
    },
  }),
}));

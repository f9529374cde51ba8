// Agents: named configurations (role, model, prompt, allowlists, limits) that runs use. Project.agents lists them.
import { z } from 'zod';
import { builder } from '../builder.js';
import { badInput, conflict } from '../errors.js';
import { config } from '../config/index.js';
import { DEFAULT_ALLOWED_COMMANDS, DEFAULT_ALLOWED_TOOLS } from '../agent-config/defaults.js';
import { CODING_PROMPT, INITIALIZER_PROMPT, VERIFIER_PROMPT } from '../agent-config/prompts.js';
import type { AgentNetwork, AgentRole } from '../generated/prisma/client.js';
import { ProjectRef } from './project.js';
import { memberOfOwner } from './owning-project.js';
import { sentFields } from './sent-fields.js';
import { readThenDelete } from './read-then-delete.js';

export const AgentRoleEnum = builder.enumType('AgentRole', {
  values: {
    INITIALIZER: { description: 'Turns the app spec into feature_list.json, init.sh and a first commit.' },
    CODING: { description: 'Takes the first failing feature, implements and verifies it, flips it to passing and commits.' },
    CUSTOM: { description: 'Anything else, driven by its own system prompt.' },
    VERIFIER: { description: "Checks a claimed feature independently (fresh context, read-only file tools, bash) and answers a verdict; the project's VERIFIER agent sets the model and prompt of verifier sessions." },
  } as const,
});

const AgentNetworkEnum = builder.enumType('AgentNetwork', {
  values: {
    NONE: { description: "No network in the agent's sandbox (the default)." },
    ALLOWLIST: { description: "Only allowedHosts (ports 80/443), through the worker's egress proxy; never the host's own services." },
  } as const,
});

export const AgentRef = builder.prismaNode('Agent', {
  id: { field: 'id' },
  // Select mode: each query loads only the columns the requested fields need (projectId for the auth check).
  select: { id: true, projectId: true },
  authScopes: (agent) => ({ member: { projectId: agent.projectId, role: 'VIEWER' } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    role: t.expose('role', { type: AgentRoleEnum }),
    model: t.exposeString('model'),
    systemPrompt: t.exposeString('systemPrompt'),
    allowedCommands: t.exposeStringList('allowedCommands', { description: 'Programs bash may run (the first word of each command).' }),
    allowedTools: t.exposeStringList('allowedTools'),
    network: t.expose('network', { type: AgentNetworkEnum }),
    allowedHosts: t.exposeStringList('allowedHosts', { description: 'Host names (or *.domain) reachable with network ALLOWLIST, e.g. registry.npmjs.org.' }),
    maxTurns: t.exposeInt('maxTurns', { description: 'Model turns per session.' }),
    maxSessions: t.exposeInt('maxSessions'),
    budgetUsd: t.float({ description: 'Spending limit per run, in US dollars.', select: { budgetUsd: true }, resolve: (agent) => Number(agent.budgetUsd) }),
    project: t.relation('project'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectFields(ProjectRef, (t) => ({
  agents: t.relation('agents', { query: { orderBy: [{ createdAt: 'asc' }, { name: 'asc' }] } }),
}));

const agentName = z.string().trim().min(1, 'must not be empty').max(100);
const model = z.string().trim().min(1, 'must not be empty').max(200).regex(/^[\w.:@/-]+$/, 'must be a model id such as claude-sonnet-5-5');
const systemPrompt = z.string().trim().min(1, 'must not be empty').max(100_000);
const command = z.string().trim().min(1, 'must not be empty').max(200).regex(/^\S+$/, 'must be a single program name, without spaces');
const tool = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be a tool name (letters, digits, _)');
const allowedCommands = z.array(command).max(500, 'at most 500 commands');
const allowedTools = z.array(tool).max(100, 'at most 100 tools');
const host = z.string().trim().toLowerCase().max(253).regex(/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a host name such as registry.npmjs.org or *.example.com');
const allowedHosts = z.array(host).max(100, 'at most 100 hosts');
const maxTurns = z.number().int().min(1, 'must be at least 1').max(10_000);
const maxSessions = z.number().int().min(1, 'must be at least 1').max(10_000);
const budgetUsd = z.number().finite().positive('must be more than 0').max(100_000);

/** The allowlists and limits createAgent and updateAgent both take, all optional. */
const toolsAndLimitsFields = (t: PothosSchemaTypes.InputFieldBuilder<typeof builder.$inferSchemaTypes, 'InputObject'>) => ({
  allowedCommands: t.stringList({ validate: allowedCommands }),
  allowedTools: t.stringList({ validate: allowedTools }),
  network: t.field({ type: AgentNetworkEnum }),
  allowedHosts: t.stringList({ validate: allowedHosts }),
  maxTurns: t.int({ validate: maxTurns }),
  maxSessions: t.int({ validate: maxSessions }),
  budgetUsd: t.float({ validate: budgetUsd }),
});

const CreateAgentInput = builder.inputType('CreateAgentInput', {
  fields: (t) => ({
    projectId: t.globalID({ required: true, for: ProjectRef }),
    name: t.string({ required: true, validate: agentName }),
    role: t.field({ type: AgentRoleEnum, required: true }),
    model: t.string({ validate: model, description: 'Defaults to the server default model.' }),
    systemPrompt: t.string({ validate: systemPrompt, description: "Defaults to Shipyard's prompt for the role; required for CUSTOM." }),
    ...toolsAndLimitsFields(t),
  }),
});

const UpdateAgentInput = builder.inputType('UpdateAgentInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: AgentRef }),
    name: t.string({ validate: agentName }),
    role: t.field({ type: AgentRoleEnum }),
    model: t.string({ validate: model }),
    systemPrompt: t.string({ validate: systemPrompt }),
    ...toolsAndLimitsFields(t),
  }),
});

const ROLE_PROMPTS: Record<AgentRole, string | undefined> = { INITIALIZER: INITIALIZER_PROMPT, CODING: CODING_PROMPT, CUSTOM: undefined, VERIFIER: VERIFIER_PROMPT };

/** Prisma's unique violation on (projectId, name) becomes a CONFLICT the client can act on. */
async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') throw conflict('This project already has an agent with that name.');
    throw error;
  }
}

const cleanList = (list: readonly string[]) => [...new Set(list.map((s) => s.trim()))];

interface AgentLimitsInput {
  network?: AgentNetwork | null;
  allowedHosts?: readonly string[] | null;
  maxTurns?: number | null;
  maxSessions?: number | null;
  budgetUsd?: number | null;
}

/** The network and limits createAgent and updateAgent both take, as stored (host names lower-cased); unsent ones keep their value. */
const sentLimits = (input: AgentLimitsInput) => ({
  ...sentFields(input, ['network', 'maxTurns', 'maxSessions', 'budgetUsd']),
  ...(input.allowedHosts != null ? { allowedHosts: cleanList(input.allowedHosts).map((h) => h.toLowerCase()) } : {}),
});

builder.mutationFields((t) => ({
  createAgent: t.prismaField({
    type: 'Agent',
    args: { input: t.arg({ type: CreateAgentInput, required: true }) },
    authScopes: (_root, { input }) => ({ member: { projectId: input.projectId.id, role: 'EDITOR' } }),
    resolve: (query, _root, { input }, ctx) => {
      if (input.role === 'CUSTOM' && !input.systemPrompt) throw badInput('A CUSTOM agent needs a systemPrompt.', 'systemPrompt');
      return uniqueName(() =>
        ctx.services.db.agent.create({
          ...query,
          data: {
            projectId: input.projectId.id,
            name: input.name.trim(),
            role: input.role,
            model: input.model?.trim() ?? config().model.defaultModel,
            systemPrompt: input.systemPrompt ?? ROLE_PROMPTS[input.role]!,
            allowedCommands: cleanList(input.allowedCommands ?? DEFAULT_ALLOWED_COMMANDS),
            allowedTools: cleanList(input.allowedTools ?? DEFAULT_ALLOWED_TOOLS),
            ...sentLimits(input),
          },
        }),
      );
    },
  }),
  updateAgent: t.prismaField({
    type: 'Agent',
    args: { input: t.arg({ type: UpdateAgentInput, required: true }) },
    authScopes: (_root, { input }, ctx) => memberOfOwner(ctx.services.db, 'Agent', input.id.id, 'EDITOR'),
    resolve: (query, _root, { input }, ctx) =>
      uniqueName(() =>
        ctx.services.db.agent.update({
          ...query,
          where: { id: input.id.id },
          data: {
            ...sentFields(input, ['role', 'systemPrompt']),
            ...(input.name != null ? { name: input.name.trim() } : {}),
            ...(input.model != null ? { model: input.model.trim() } : {}),
            ...(input.allowedCommands != null ? { allowedCommands: cleanList(input.allowedCommands) } : {}),
            ...(input.allowedTools != null ? { allowedTools: cleanList(input.allowedTools) } : {}),
            ...sentLimits(input),
          },
        }),
      ),
  }),
  deleteAgent: t.prismaField({
    type: 'Agent',
    description: 'Deletes the agent; past runs keep their history. Returns it as it was.',
    args: { id: t.arg.globalID({ required: true, for: AgentRef }) },
    authScopes: (_root, { id }, ctx) => memberOfOwner(ctx.services.db, 'Agent', id.id, 'EDITOR'),
    resolve: (query, _root, { id }, ctx) =>
      readThenDelete(
        'Agent',
        () => ctx.services.db.agent.findUnique({ ...query, where: { id: id.id } }),
        () => ctx.services.db.agent.delete({ where: { id: id.id } }),
      ),
  }),
}));

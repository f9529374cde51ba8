import { config } from './config/index.js';
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import ValidationPlugin from '@pothos/plugin-validation';
import type { ProjectRole } from './generated/prisma/client.js';
import type PrismaTypes from './generated/pothos-types.js';
import { getDatamodel } from './generated/pothos-types.js';
import type { Context } from './request-context.js';
import { canSeeNode, canSeeUser, hasProjectRole } from './auth/membership.js';
import { forbidden, unauthenticated, badInput } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    ID: { Input: string; Output: string | number | bigint };
  };
  AuthScopes: {
    loggedIn: boolean;
    /** The viewer is a member of the project with at least this role. */
    member: { projectId: string; role: ProjectRole };
    /** The viewer is this user or shares a project with them. */
    coMember: string;
  };
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, SimpleObjectsPlugin, ValidationPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      loggedIn: !!ctx.user,
      member: ({ projectId, role }) => (ctx.user ? hasProjectRole(ctx, projectId, role) : false),
      coMember: (userId) => canSeeUser(ctx, userId),
    }),
    unauthorizedError: (_parent, ctx) => (ctx.user ? forbidden() : unauthenticated()),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // A node the viewer may not see is null, exactly like an id that does not exist (no way to probe for ids).
    nodeQueryOptions: {
      nullable: true,
      resolve: async (_root, { id }, ctx, _info, resolveNode) => {
        if (!ctx.user) throw unauthenticated();
        const node = await Promise.resolve(resolveNode(id)).catch((error: unknown) => {
          if ((error as { code?: string })?.code === 'P2025') return null; // no such row
          throw error;
        });
        return node && typeof node === 'object' && (await canSeeNode(ctx, id.typename, node)) ? node : null;
      },
    },
    nodesQueryOptions: false,
    // Every node id is a UUID: anything else is a client mistake, answered before it reaches Postgres.
    decodeGlobalID: (globalID) => {
      const decoded = decodeGlobalID(globalID);
      if (!UUID.test(decoded.id)) throw badInput(`Invalid global ID: ${globalID}`);
      return decoded;
    },
  },
  prisma: {
    client: (ctx) => ctx.services.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: config().nodeEnv === 'production' ? null : 'warn',
  },
  validation: {
    validationError: (failure) =>
      badInput(failure.issues.map((i) => `${(i.path ?? []).map((p) => (typeof p === 'object' ? p.key : p)).join('.') || 'input'}: ${i.message}`).join('; ')),
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});


import { z } from 'zod';
import { builder } from '../builder.js';
import { lockFirstUserCheck } from '../db/sql/users.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { issueToken } from '../auth/tokens.js';
import { revokeTokens } from '../auth/revocation.js';
import { checkLogin, clearFailedLogins, recordFailedLogin } from '../auth/login-limit.js';
import { ClientError, conflict, notFound } from '../errors.js';
import type { ApiToken } from '../generated/prisma/client.js';
import type { Context } from '../request-context.js';

export const UserRef = builder.prismaNode('User', {
  id: { field: 'id' },
  authScopes: (user) => ({ coMember: user.id }),
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const ApiTokenRef = builder.prismaNode('ApiToken', {
  id: { field: 'id' },
  authScopes: (token, ctx) => token.userId === ctx.user?.id,
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to recognise it.' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    current: t.boolean({ description: 'Whether this request is authenticated with this token.', resolve: (token, _args, ctx) => token.id === ctx.tokenId }),
  }),
});

const AuthPayload = builder.simpleObject('AuthPayload', {
  fields: (t) => ({
    token: t.string({ description: 'Bearer token; shown only now.' }),
    user: t.field({ type: UserRef }),
  }),
});

const CreateApiTokenPayload = builder.simpleObject('CreateApiTokenPayload', {
  fields: (t) => ({
    token: t.string({ description: 'The secret; shown only now, stored hashed.' }),
    apiToken: t.field({ type: ApiTokenRef }),
  }),
});

const email = z.string().trim().toLowerCase().email('must be an email address').max(254);

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true, validate: email }),
    password: t.string({ required: true, validate: z.string().min(8, 'must be at least 8 characters').max(200) }),
    name: t.string({ required: true, validate: z.string().trim().min(1, 'must not be empty').max(100) }),
  }),
});

const LogInInput = builder.inputType('LogInInput', {
  fields: (t) => ({
    email: t.string({ required: true, validate: email }),
    password: t.string({ required: true, validate: z.string().min(1).max(200) }),
  }),
});

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  fields: (t) => ({
    name: t.string({ required: true, validate: z.string().trim().min(1, 'must not be empty').max(100) }),
  }),
});

builder.queryField('viewer', (t) =>
  t.prismaField({
    type: 'User',
    nullable: true,
    description: 'The signed-in user, or null.',
    resolve: (query, _root, _args, ctx) => (ctx.user ? ctx.services.db.user.findUnique({ ...query, where: { id: ctx.user.id } }) : null),
  }),
);

builder.objectField(UserRef, 'apiTokens', (t) =>
  t.prismaField({
    type: ['ApiToken'],
    authScopes: (user, _args, ctx) => user.id === ctx.user?.id,
    resolve: (query, user, _args, ctx) => ctx.services.db.apiToken.findMany({ ...query, where: { userId: user.id, kind: 'API' }, orderBy: { createdAt: 'desc' } }),
  }),
);

builder.objectField(UserRef, 'sessions', (t) =>
  t.prismaField({
    type: ['ApiToken'],
    description: 'Your signed-in sessions (from signUp and logIn) that are neither revoked nor expired, newest first.',
    authScopes: (user, _args, ctx) => user.id === ctx.user?.id,
    resolve: (query, user, _args, ctx) =>
      ctx.services.db.apiToken.findMany({
        ...query,
        where: { userId: user.id, kind: 'SESSION', revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
        orderBy: { createdAt: 'desc' },
      }),
  }),
);

/**
 * Revokes one of the viewer's own tokens that `accepts` (subscriptions opened with it end too). Anyone else's token
 * is NOT_FOUND like an unknown id, so ids cannot be probed.
 */
async function revokeOwnToken(ctx: Context, id: string, what: string, accepts: (token: ApiToken) => boolean): Promise<void> {
  const { db, redis } = ctx.services;
  const token = await db.apiToken.findUnique({ where: { id } });
  if (!token || token.userId !== ctx.user!.id || !accepts(token)) throw notFound(what);
  await revokeTokens(db, redis, ctx.user!.id, [token.id]);
}

builder.mutationFields((t) => ({
  logOut: t.boolean({
    description: 'Revokes the token this request is authenticated with; subscriptions opened with it end too.',
    authScopes: { loggedIn: true },
    resolve: async (_root, _args, ctx) => {
      if (!ctx.tokenId) return false;
      return (await revokeTokens(ctx.services.db, ctx.services.redis, ctx.user!.id, [ctx.tokenId])).length === 1;
    },
  }),
  revokeSession: t.prismaField({
    type: 'ApiToken',
    description: 'Revokes one of your sessions (see viewer.sessions); subscriptions opened with it end too.',
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ required: true, for: ApiTokenRef }) },
    resolve: async (query, _root, { id }, ctx) => {
      await revokeOwnToken(ctx, id.id, 'Session', (token) => token.kind === 'SESSION');
      return ctx.services.db.apiToken.findUniqueOrThrow({ ...query, where: { id: id.id } });
    },
  }),
  signUp: t.field({
    type: AuthPayload,
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { db } = ctx.services;
      const address = input.email.trim().toLowerCase();
      if (await db.user.findUnique({ where: { email: address } })) throw conflict('An account with this email already exists.');
      const passwordHash = await hashPassword(input.password, ctx.services.accounts.passwordParams);
      const user = await db.$transaction(async (tx) => {
        // The instance's first user administers it; the lock makes "first" hold under concurrent sign-ups.
        await lockFirstUserCheck(tx);
        const first = (await tx.user.count({ take: 1 })) === 0;
        return tx.user.create({ data: { email: address, name: input.name.trim(), passwordHash, isAdmin: first } });
      });
      const { token } = await issueToken(db, user.id, 'session', 'sign-up');
      ctx.user = user;
      return { token, user };
    },
  }),
  logIn: t.field({
    type: AuthPayload,
    args: { input: t.arg({ type: LogInInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { db, redis, accounts } = ctx.services;
      const address = input.email.trim().toLowerCase();
      await checkLogin(redis, accounts.loginLimits, address, ctx.clientAddress ?? 'unknown');
      const user = await db.user.findUnique({ where: { email: address } });
      // The same work whether or not the account exists: no timing difference tells which emails have one.
      const verified = await verifyPassword(input.password, user?.passwordHash ?? (await accounts.dummyHash.get()), accounts.passwordParams);
      if (!user || !verified.ok) {
        await recordFailedLogin(redis, accounts.loginLimits, address);
        throw new ClientError('UNAUTHENTICATED', 'Wrong email or password.');
      }
      await clearFailedLogins(redis, accounts.loginLimits, address);
      if (verified.needsRehash) {
        await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.password, accounts.passwordParams) } });
      }
      const { token } = await issueToken(db, user.id, 'session', 'log-in');
      ctx.user = user;
      return { token, user };
    },
  }),
  createApiToken: t.field({
    type: CreateApiTokenPayload,
    authScopes: { loggedIn: true },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: (_root, { input }, ctx) => issueToken(ctx.services.db, ctx.user!.id, 'api', input.name.trim()),
  }),
  revokeApiToken: t.prismaField({
    type: 'ApiToken',
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ required: true, for: ApiTokenRef }) },
    resolve: async (query, _root, { id }, ctx) => {
      await revokeOwnToken(ctx, id.id, 'API token', () => true);
      return ctx.services.db.apiToken.findUniqueOrThrow({ ...query, where: { id: id.id } });
    },
  }),
}));

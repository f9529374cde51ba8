// Spending limits and spend: a project's monthly budget and verification settings, and the viewer's own monthly budget.
import { z } from 'zod';
import { builder } from '../builder.js';
import { projectMonthSpend, userMonthSpend } from '../agent-config/budgets.js';
import { ProjectRef } from './project.js';
import { UserRef } from './user.js';

builder.prismaObjectFields(ProjectRef, (t) => ({
  monthlyBudgetUsd: t.float({
    nullable: true,
    description: 'Spending limit per calendar month (UTC) over all runs; a run that reaches it is PAUSED (budget).',
    select: { monthlyBudgetUsd: true },
    resolve: (project) => (project.monthlyBudgetUsd == null ? null : Number(project.monthlyBudgetUsd)),
  }),
  monthSpendUsd: t.float({ description: 'Cost of the runs queued this calendar month (UTC).', resolve: (project, _args, ctx) => projectMonthSpend(ctx.services.db, project.id) }),
  verifyCommand: t.exposeString('verifyCommand', { nullable: true, description: "Overrides the verify command of the workspace's shipyard.json." }),
  verifierEnabled: t.exposeBoolean('verifierEnabled', { description: 'An independent verifier session checks every claimed feature.' }),
}));

builder.prismaObjectFields(UserRef, (t) => ({
  monthlyBudgetUsd: t.float({
    nullable: true,
    description: 'Your spending limit per calendar month (UTC) over the runs you start (only visible to you).',
    authScopes: (user, _args, ctx) => user.id === ctx.user?.id,
    resolve: (user) => (user.monthlyBudgetUsd == null ? null : Number(user.monthlyBudgetUsd)),
  }),
  monthSpendUsd: t.float({
    description: 'Cost of the runs you started this calendar month (UTC) (only visible to you).',
    authScopes: (user, _args, ctx) => user.id === ctx.user?.id,
    resolve: (user, _args, ctx) => userMonthSpend(ctx.services.db, user.id),
  }),
}));

const UpdateViewerInput = builder.inputType('UpdateViewerInput', {
  fields: (t) => ({
    monthlyBudgetUsd: t.float({ description: 'null removes the limit.', validate: z.number().finite().positive('must be more than 0').max(1_000_000).nullish() }),
  }),
});

builder.mutationField('updateViewer', (t) =>
  t.prismaField({
    type: 'User',
    description: "Changes the signed-in user's own settings (the monthly budget over the runs they start).",
    args: { input: t.arg({ type: UpdateViewerInput, required: true }) },
    authScopes: { loggedIn: true },
    resolve: (query, _root, { input }, ctx) =>
      ctx.services.db.user.update({ ...query, where: { id: ctx.user!.id }, data: input.monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd: input.monthlyBudgetUsd } : {} }),
  }),
);

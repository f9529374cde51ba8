// The evidence behind a feature's passes: the platform's verifications of claimed flips (and regressions found).
import { builder } from '../builder.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { UsageRef, usageOf, type Usage } from './usage.js';
import { FeatureRef } from './feature.js';

const FeatureUsageRef = builder.objectRef<{ coding: Usage; verification: Usage }>('FeatureUsage').implement({
  description: 'Tokens and cost spent on a feature over all runs: sessions working on it, and checks of its claims.',
  fields: (t) => ({
    coding: t.field({ type: UsageRef, resolve: (u) => u.coding }),
    verification: t.field({ type: UsageRef, resolve: (u) => u.verification }),
  }),
});

async function featureUsage(db: PrismaClient, featureId: string): Promise<{ coding: Usage; verification: Usage }> {
  const rows = await db.featureUsage.groupBy({
    by: ['kind'],
    where: { featureId },
    _sum: { inputTokens: true, outputTokens: true, cacheReadInputTokens: true, cacheCreationInputTokens: true, costUsd: true },
  });
  const of = (kind: string) => usageOf(rows.find((r) => r.kind === kind)?._sum);
  return { coding: of('CODING'), verification: of('VERIFICATION') };
}

builder.prismaObject('FeatureVerification', {
  description: "The platform's check of a claim that a feature passes (or of a passing feature): the verification command and the verifier's verdict.",
  fields: (t) => ({
    id: t.exposeID('id'),
    accepted: t.exposeBoolean('accepted'),
    reason: t.exposeString('reason'),
    sha: t.exposeString('sha', { nullable: true, description: 'The commit that was verified.' }),
    command: t.exposeString('command', { nullable: true }),
    commandPassed: t.exposeBoolean('commandPassed', { nullable: true, description: 'null: no verification command ran.' }),
    verdict: t.exposeString('verdict', { nullable: true, description: "The verifier's verdict (pass or fail); null when it did not run." }),
    verdictCommands: t.exposeStringList('verdictCommands'),
    verdictOutput: t.exposeString('verdictOutput', { nullable: true }),
    run: t.relation('run', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectFields(FeatureRef, (t) => ({
  verifiedAt: t.expose('verifiedAt', { type: 'DateTime', nullable: true, description: 'When the platform accepted its flip after verification.' }),
  verifiedSha: t.exposeString('verifiedSha', { nullable: true, description: 'The commit its accepted verification ran on.' }),
  regression: t.exposeBoolean('regression', { description: 'It passed once and failed a later verification (the platform set passes back to false).' }),
  verifications: t.relation('verifications', { description: 'Verifications of this feature, newest first.', query: { orderBy: { createdAt: 'desc' } } }),
  testResults: t.relation('testResults', { description: 'Verification runs linked to this feature, oldest first.', query: { orderBy: { createdAt: 'asc' } } }),
  usage: t.field({ type: FeatureUsageRef, select: { id: true }, resolve: (feature, _args, ctx) => featureUsage(ctx.services.db, feature.id) }),
}));

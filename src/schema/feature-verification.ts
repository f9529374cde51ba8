// The evidence behind a feature's passes: the platform's verifications of claimed flips (and regressions found).
import { builder } from '../builder.js';
import { getDb } from '../db/client.js';
import { UsageRef } from './agent-run.js';
import { FeatureRef } from './feature.js';

interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  costUsd: number;
}

const FeatureUsageRef = builder.objectRef<{ coding: Usage; verification: Usage }>('FeatureUsage').implement({
  description: 'Tokens and cost spent on a feature over all runs: sessions working on it, and checks of its claims.',
  fields: (t) => ({
    coding: t.field({ type: UsageRef, resolve: (u) => u.coding }),
    verification: t.field({ type: UsageRef, resolve: (u) => u.verification }),
  }),
});

async function featureUsage(featureId: string): Promise<{ coding: Usage; verification: Usage }> {
  const rows = await getDb().featureUsage.groupBy({
    by: ['kind'],
    where: { featureId },
    _sum: { inputTokens: true, outputTokens: true, cacheReadInputTokens: true, cacheCreationInputTokens: true, costUsd: true },
  });
  const of = (kind: string): Usage => {
    const sum = rows.find((r) => r.kind === kind)?._sum;
    return {
      inputTokens: sum?.inputTokens ?? 0,
      outputTokens: sum?.outputTokens ?? 0,
      cacheReadInputTokens: sum?.cacheReadInputTokens ?? 0,
      cacheCreationInputTokens: sum?.cacheCreationInputTokens ?? 0,
      costUsd: Number(sum?.costUsd ?? 0),
    };
  };
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
  usage: t.field({ type: FeatureUsageRef, select: { id: true }, resolve: (feature) => featureUsage(feature.id) }),
}));

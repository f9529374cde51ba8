// The Usage type: model tokens and their cost, as runs, sessions and features report them.
import { builder } from '../builder.js';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  costUsd: number;
}

/** Usage columns as Prisma returns them: a row's (costUsd a decimal) or an aggregate's sums (null over no rows). */
type UsageColumns = { [K in keyof Usage]?: (K extends 'costUsd' ? { toString(): string } : number) | null };

export const usageOf = (row: UsageColumns | null | undefined): Usage => ({
  inputTokens: row?.inputTokens ?? 0,
  outputTokens: row?.outputTokens ?? 0,
  cacheReadInputTokens: row?.cacheReadInputTokens ?? 0,
  cacheCreationInputTokens: row?.cacheCreationInputTokens ?? 0,
  costUsd: Number(row?.costUsd ?? 0),
});

export const UsageRef = builder.objectRef<Usage>('Usage').implement({
  description: 'Model token usage and its cost in US dollars.',
  fields: (t) => ({
    inputTokens: t.exposeInt('inputTokens'),
    outputTokens: t.exposeInt('outputTokens'),
    cacheReadInputTokens: t.exposeInt('cacheReadInputTokens'),
    cacheCreationInputTokens: t.exposeInt('cacheCreationInputTokens'),
    costUsd: t.exposeFloat('costUsd'),
  }),
});

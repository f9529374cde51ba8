// Per-model token prices (USD per million tokens) used to turn usage into cost. SHIPYARD_MODEL_PRICES (a JSON object
// { "<model or prefix>": { input, output, cacheRead?, cacheWrite? } }) overrides or extends the table.
import { config } from '../config/index.js';
import type { ModelPrice } from '../config/model-prices.js';

export { parseOverrides, type ModelPrice } from '../config/model-prices.js';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
}

const price = (input: number, output: number): ModelPrice => ({ input, output, cacheRead: input * 0.1, cacheWrite: input * 1.25 });

/** Keys are model ids or id prefixes; the longest matching prefix wins, so dated ids inherit their family's price. */
const BUILT_IN: Record<string, ModelPrice> = {
  'claude-opus-4-5': price(5, 25),
  'claude-opus-4-6': price(5, 25),
  'claude-opus-4-7': price(5, 25),
  'claude-opus-4-8': price(5, 25),
  'claude-opus-4': price(15, 75),
  'claude-opus-5': price(5, 25),
  'claude-sonnet-4': price(3, 15),
  'claude-sonnet-5': price(3, 15),
  'claude-3-7-sonnet': price(3, 15),
  'claude-haiku-4': price(1, 5),
  'claude-haiku-5': price(1, 5),
  'claude-3-5-haiku': price(0.8, 4),
};

/** Unknown models are priced like a mid-range model so budgets still bite rather than silently costing zero. */
export const DEFAULT_PRICE: ModelPrice = price(3, 15);

export function priceFor(model: string): ModelPrice {
  const table = { ...BUILT_IN, ...config().model.prices };
  if (table[model]) return table[model];
  let best: string | undefined;
  for (const key of Object.keys(table)) if (model.startsWith(key) && (!best || key.length > best.length)) best = key;
  return best ? table[best] : DEFAULT_PRICE;
}

/** Cost in USD of one usage record; input_tokens from the API excludes cache reads and writes. */
export function costUsd(model: string, usage: TokenUsage): number {
  const p = priceFor(model);
  return (
    (usage.inputTokens * p.input + usage.outputTokens * p.output + usage.cacheReadInputTokens * p.cacheRead + usage.cacheCreationInputTokens * p.cacheWrite) /
    1_000_000
  );
}

// The per-model price table: built-in prices by model family, SHIPYARD_MODEL_PRICES overrides, unknown models.
import { describe, expect, it } from 'vitest';
import { costUsd, DEFAULT_PRICE, parseOverrides, priceFor } from '../src/agent-config/pricing.js';
import { withEnv } from './helpers/process-settings.js';

describe('pricing', () => {
  it('prices dated and newer ids by their family prefix', () => {
    expect(priceFor('claude-sonnet-4-5-20250929')).toMatchObject({ input: 3, output: 15 });
    expect(priceFor('claude-haiku-4-5')).toMatchObject({ input: 1, output: 5 });
    expect(priceFor('claude-opus-4-1')).toMatchObject({ input: 15, output: 75 });
    expect(priceFor('claude-opus-4-5')).toMatchObject({ input: 5, output: 25 });
  });

  it('gives unknown models a non-zero default price', () => {
    expect(priceFor('some-future-model')).toEqual(DEFAULT_PRICE);
    expect(DEFAULT_PRICE.input).toBeGreaterThan(0);
  });

  it('computes cost from all four token kinds (cache reads at 0.1x, cache writes at 1.25x input)', () => {
    const cost = costUsd('claude-sonnet-4-6', { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadInputTokens: 1_000_000, cacheCreationInputTokens: 1_000_000 });
    expect(cost).toBeCloseTo(3 + 15 + 0.3 + 3.75, 10);
  });

  it('takes overrides from SHIPYARD_MODEL_PRICES, and explains a bad value', async () => {
    const prices = JSON.stringify({ 'my-model': { input: 2, output: 4, cacheRead: 0.5 }, 'claude-sonnet-4': { input: 1, output: 1 } });
    await withEnv({ SHIPYARD_MODEL_PRICES: prices }, () => {
      expect(priceFor('my-model')).toEqual({ input: 2, output: 4, cacheRead: 0.5, cacheWrite: 2.5 });
      expect(priceFor('claude-sonnet-4-5')).toMatchObject({ input: 1, output: 1 });
    });
    expect(() => parseOverrides('{"m": {"input": -1, "output": 1}}')).toThrow(/input must be a non-negative number/);
    expect(() => parseOverrides('not json')).toThrow(/must be a JSON object/);
  });
});

// SHIPYARD_MODEL_PRICES: a JSON object { "<model or prefix>": { input, output, cacheRead?, cacheWrite? } } (USD per
// million tokens) that overrides or extends the built-in price table.
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export function parseOverrides(source: string): Record<string, ModelPrice> {
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch {
    throw new Error('SHIPYARD_MODEL_PRICES must be a JSON object of { "<model>": { "input": n, "output": n, "cacheRead"?: n, "cacheWrite"?: n } }');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('SHIPYARD_MODEL_PRICES must be a JSON object keyed by model');
  const result: Record<string, ModelPrice> = {};
  for (const [model, raw] of Object.entries(data as Record<string, unknown>)) {
    const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<keyof ModelPrice, unknown>>;
    const num = (v: unknown, name: string) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`SHIPYARD_MODEL_PRICES["${model}"].${name} must be a non-negative number`);
      return v;
    };
    const input = num(p.input, 'input');
    const output = num(p.output, 'output');
    result[model] = {
      input,
      output,
      cacheRead: p.cacheRead === undefined ? input * 0.1 : num(p.cacheRead, 'cacheRead'),
      cacheWrite: p.cacheWrite === undefined ? input * 1.25 : num(p.cacheWrite, 'cacheWrite'),
    };
  }
  return result;
}

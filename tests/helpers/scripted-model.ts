// Registers a test file's hooks for a scripted Messages API (scripted-anthropic.ts); filled in by beforeAll. Register
// it before a stack whose workers take `model.env()`, so it is up first.
import { afterAll, beforeAll } from 'vitest';
import { startScriptedAnthropic, type ScriptedAnthropic, type ScriptedOptions } from './scripted-anthropic.js';

export function useScriptedModel(opts: ScriptedOptions = {}): ScriptedAnthropic {
  const model = {} as ScriptedAnthropic;
  beforeAll(async () => {
    Object.assign(model, await startScriptedAnthropic(opts));
  });
  afterAll(async () => {
    await model.close?.();
  });
  return model;
}

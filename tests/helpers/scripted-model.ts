// Registers a test file's hooks for a scripted Messages API (scripted-anthropic.ts); filled in by beforeAll. Register
// it before a stack whose workers take `model.env()`, so it is up first.
import { useResource } from './resource.js';
import { startScriptedAnthropic, type ScriptedAnthropic, type ScriptedOptions } from './scripted-anthropic.js';

export const useScriptedModel = (opts: ScriptedOptions = {}): ScriptedAnthropic => useResource(() => startScriptedAnthropic(opts), (model) => model.close());

// The sandbox's settings, read once from the environment: whether commands run in bubblewrap (the default) or,
// only when SHIPYARD_SANDBOX=off is set explicitly, unsandboxed; and the resource limits of every session sandbox.
import { config } from '../../src/config/index.js';
import type { SandboxSettings } from '../../src/config/config.js';

export type NetworkMode = 'NONE' | 'ALLOWLIST';

export type { SandboxSettings } from '../../src/config/config.js';
export type SandboxLimits = SandboxSettings['limits'];

/** Validated at start with every other variable (src/config/). */
export const readSandboxSettings = (): SandboxSettings => config().sandbox;

// The one place that reads process.env. Entry points call loadConfigOrExit() before anything else; deeper modules
// call config(), which re-reads only when the environment changed (tests change variables between cases).
import { environmentSchema, SECRET_VARIABLES, VARIABLE_NAMES, type VariableName } from './variables.js';
import { toConfig, type Config } from './config.js';

export type { Config } from './config.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function known(env: Env): Partial<Record<VariableName, string>> {
  const out: Partial<Record<VariableName, string>> = {};
  for (const name of VARIABLE_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** Validates every variable; throws a ConfigError naming each invalid one (secret values are not echoed). */
export function loadConfig(env: Env = process.env): Config {
  const raw = known(env);
  const parsed = environmentSchema.safeParse(raw);
  if (parsed.success) return toConfig(parsed.data);
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]) as VariableName;
      const shown = SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(raw[name])})`;
      return `${name} ${issue.message}${shown}`;
    }),
  );
}

let cached: { key: string; config: Config } | undefined;

/** This process's configuration (validated; throws ConfigError when a variable is invalid). */
export function config(): Config {
  const key = VARIABLE_NAMES.map((name) => process.env[name] ?? '').join('\0');
  if (cached?.key !== key) cached = { key, config: loadConfig(process.env) };
  return cached.config;
}

/** For entry points: the configuration, or a message naming the invalid variables and exit code 1. */
export function loadConfigOrExit(): Config {
  try {
    return config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${error.message}\nFix the variables above (see the Configuration section of README.md) and start again.`);
    process.exit(1);
  }
}

/** The environment for a child process of ours: this one's, with some variables replaced. */
export function childEnvironment(overrides: Partial<Record<VariableName, string>>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}

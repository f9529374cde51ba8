// Default agents for a new project, following the autonomous-coding workflow (initializer, then coding sessions).
// Prompts are Shipyard's own words.
import { config } from '../config/index.js';
import { INITIALIZER_PROMPT, CODING_PROMPT } from './prompts.js';

export const DEFAULT_ALLOWED_COMMANDS = [
  'ls', 'cat', 'head', 'tail', 'wc', 'grep', 'cp', 'mkdir', 'chmod', 'pwd', 'npm', 'node', 'git', 'ps', 'lsof', 'sleep', 'pkill', './init.sh',
  'echo', 'touch', 'mv', 'find', 'sort', 'diff', 'npx', 'test', 'true', 'cd', 'tsc', 'uniq', 'which',
];

export const DEFAULT_ALLOWED_TOOLS = ['bash', 'str_replace_based_edit_tool', 'glob', 'grep', 'run_tests'];

export function defaultAgentsData() {
  const model = config().model.defaultModel;
  return [
    {
      name: 'Initializer',
      role: 'INITIALIZER' as const,
      model,
      systemPrompt: INITIALIZER_PROMPT,
      allowedTools: DEFAULT_ALLOWED_TOOLS,
      allowedCommands: DEFAULT_ALLOWED_COMMANDS,
      maxTurns: 60,
      maxSessions: 1,
      budgetUsd: 5,
    },
    {
      name: 'Coder',
      role: 'CODING' as const,
      model,
      systemPrompt: CODING_PROMPT,
      allowedTools: DEFAULT_ALLOWED_TOOLS,
      allowedCommands: DEFAULT_ALLOWED_COMMANDS,
      maxTurns: 80,
      maxSessions: 30,
      budgetUsd: 25,
    },
  ];
}

// The tools an agent can call: Anthropic's trained client tools (bash, str_replace_based_edit_tool) under their exact
// names, plus custom glob / grep / run_tests. Definitions for the API and one dispatcher.
import type Anthropic from '@anthropic-ai/sdk';
import { checkCommand, type PolicyDecision } from './command-policy.js';
import { EDITOR_TOOL_NAME, runEditor, type ToolOutcome } from './editor.js';
import type { CommandRunner } from '../sandbox/runner.js';
import { runGlob, runGrep } from './search.js';
import { isTestCommand } from './test-commands.js';

export interface ToolContext {
  root: string;
  allowedCommands: readonly string[];
  /** 'off' lets every command through to the sandbox (the escape suite shows the sandbox alone contains them). */
  commandPolicy?: 'allowlist' | 'off';
  signal: AbortSignal;
  /** Where the session's commands run (its sandbox); processes left in the background live until it closes. */
  commands: CommandRunner;
  timeoutMs: number;
  maxOutputBytes: number;
}

export interface TestRun {
  command: string;
  exitCode: number | null;
  passed: boolean;
  durationMs: number;
  output: string;
}

export interface ToolExecution extends ToolOutcome {
  /** Set when the call ran a recognised test command. */
  test?: TestRun;
  /** Time spent running the tool itself (what the platform waited on). */
  durationMs: number;
}

export function toolDefinitions(allowedTools: readonly string[]): Anthropic.ToolUnion[] {
  const defs: Anthropic.ToolUnion[] = [];
  const allow = (name: string) => allowedTools.length === 0 || allowedTools.includes(name);
  if (allow('bash')) defs.push({ type: 'bash_20250124', name: 'bash' });
  if (allow(EDITOR_TOOL_NAME)) defs.push({ type: 'text_editor_20250728', name: EDITOR_TOOL_NAME });
  if (allow('glob')) {
    defs.push({
      name: 'glob',
      description: 'Find files in the workspace whose path matches a glob pattern (** for any depth, * within a directory, {a,b} alternatives). Skips .git and node_modules.',
      input_schema: { type: 'object', properties: { pattern: { type: 'string' }, path: { type: 'string', description: 'Directory to search, relative to the workspace (default: the workspace).' } }, required: ['pattern'] },
    });
  }
  if (allow('grep')) {
    defs.push({
      name: 'grep',
      description: 'Search file contents in the workspace with a regular expression (ripgrep syntax: no backreferences or look-around); returns file:line:text matches.',
      input_schema: {
        type: 'object',
        properties: { pattern: { type: 'string' }, path: { type: 'string' }, include: { type: 'string', description: 'Glob of files to search, e.g. "*.ts".' }, ignore_case: { type: 'boolean' } },
        required: ['pattern'],
      },
    });
  }
  if (allow('run_tests')) {
    defs.push({
      name: 'run_tests',
      description: "Run the project's tests (default: npm test) and record the result. Use this to verify a feature before marking it passing.",
      input_schema: { type: 'object', properties: { command: { type: 'string', description: 'Test command, e.g. "npm test" or "node --test".' } } },
    });
  }
  return defs;
}

/**
 * Calls that cannot change the workspace (editor view, glob, grep): the runtime skips its after-call checks of
 * feature_list.json and HEAD for them. A change made meanwhile by something else is seen at the next writing call or
 * at the next session start, where the same checks run.
 */
export function isReadOnlyCall(name: string, input: unknown): boolean {
  if (name === 'glob' || name === 'grep') return true;
  return name === EDITOR_TOOL_NAME && typeof input === 'object' && input !== null && (input as { command?: unknown }).command === 'view';
}

const fail = (output: string): ToolExecution => ({ output, isError: true, durationMs: 0 });

export async function executeTool(name: string, rawInput: unknown, ctx: ToolContext, allowedTools: readonly string[]): Promise<ToolExecution> {
  const execution = await dispatch(name, rawInput, ctx, allowedTools);
  // Output is the agent's to shape: a NUL (from /proc/*/environ, a binary file) cannot be stored in a JSON event.
  if (execution.output.includes('\0')) execution.output = execution.output.replaceAll('\0', '\uFFFD');
  if (execution.test?.output.includes('\0')) execution.test.output = execution.test.output.replaceAll('\0', '\uFFFD');
  return execution;
}

async function dispatch(name: string, rawInput: unknown, ctx: ToolContext, allowedTools: readonly string[]): Promise<ToolExecution> {
  if (allowedTools.length && !allowedTools.includes(name)) return fail(`The tool "${name}" is not enabled for this agent.`);
  const input = (typeof rawInput === 'object' && rawInput !== null ? rawInput : {}) as Record<string, unknown>;
  const started = performance.now();
  const timed = (outcome: ToolOutcome): ToolExecution => ({ ...outcome, durationMs: performance.now() - started });
  switch (name) {
    case 'bash':
      if (input.restart === true) return timed({ output: 'The shell was restarted (each command runs in a fresh shell in the workspace).', isError: false });
      if (typeof input.command !== 'string') return fail('bash needs a "command".');
      return runChecked(input.command, ctx, false);
    case EDITOR_TOOL_NAME:
      return timed(runEditor(ctx.root, input));
    case 'glob':
      return timed(await runGlob(ctx.root, input, ctx.signal));
    case 'grep':
      return timed(await runGrep(ctx.root, input, ctx.signal));
    case 'run_tests':
      return runChecked(typeof input.command === 'string' && input.command.trim() ? input.command : 'npm test', ctx, true);
    default:
      return fail(`Unknown tool "${name}". Available: ${allowedTools.join(', ')}.`);
  }
}

async function runChecked(command: string, ctx: ToolContext, alwaysTest: boolean): Promise<ToolExecution> {
  const decision: PolicyDecision = ctx.commandPolicy === 'off' ? { ok: true, commands: [] } : checkCommand(command, ctx.allowedCommands, ctx.root);
  if (!decision.ok) return fail(`${decision.reason}\nNothing was run.`);
  const result = await ctx.commands.run(command, { timeoutMs: ctx.timeoutMs, maxOutputBytes: ctx.maxOutputBytes, signal: ctx.signal });
  const notes: string[] = [];
  if (result.truncated) notes.push(`[output truncated to the last ${ctx.maxOutputBytes} bytes]`);
  if (result.timedOut) notes.push(`[killed after the ${Math.round(ctx.timeoutMs / 1000)} s timeout]`);
  if (result.aborted) notes.push('[killed: the run was stopped]');
  if (result.exitCode !== null && result.exitCode !== 0) notes.push(`[exit code ${result.exitCode}]`);
  else if (result.exitCode === null && result.signal) notes.push(`[terminated by ${result.signal}]`);
  const output = [result.output.trimEnd(), ...notes].filter(Boolean).join('\n') || '(no output)';
  const failed = result.exitCode !== 0;
  const execution: ToolExecution = { output, isError: failed, durationMs: result.durationMs };
  if (alwaysTest || isTestCommand(decision.commands)) {
    execution.test = { command, exitCode: result.exitCode, passed: result.exitCode === 0, durationMs: result.durationMs, output: result.output };
  }
  return execution;
}

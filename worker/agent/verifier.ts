// The independent verifier: a fresh model context that sees only one feature (description and steps), reads the
// workspace with read-only file tools, runs commands through the same sandboxed bash as the coder, and answers a
// structured verdict through the submit_verdict tool. Its usage is the run's (no session of its own).
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { costUsd } from '../../src/agent-config/pricing.js';
import { VERIFIER_PROMPT } from '../../src/agent-config/prompts.js';
import { boundText, type EventSink } from '../../src/events/types.js';
import { EDITOR_TOOL_NAME } from '../tools/editor.js';
import { executeTool, toolDefinitions, type ToolContext } from '../tools/index.js';
import { streamTurn } from './model-client.js';
import { config } from '../../src/config/index.js';
import { platformNotes } from './session-prompt.js';
import type { BudgetState, SessionAgent } from './session.js';
import { UsageWriter } from './usage-writer.js';

const VERDICT_TOOL = 'submit_verdict';
const VERIFIER_TOOLS = ['bash', EDITOR_TOOL_NAME, 'glob', 'grep'];
const MODEL_OUTPUT_CHARS = 30_000;

const verdictInput = z.object({
  verdict: z.enum(['pass', 'fail']),
  commands: z.array(z.string().max(2_000)).max(50).default([]),
  output: z.string().max(200_000).default(''),
});
export type Verdict = z.infer<typeof verdictInput>;

export interface VerifierInput {
  client: Anthropic;
  db: PrismaClient;
  events: EventSink;
  runId: string;
  agent: SessionAgent;
  root: string;
  signal: AbortSignal;
  toolCtx: ToolContext;
  budget: BudgetState;
  feature: { id: string; index: number; category: string; description: string; steps: string[] };
  sha: string | null;
}

const verdictTool: Anthropic.Tool = {
  name: VERDICT_TOOL,
  description: 'Submit your verdict on the feature, once, when you have checked it: pass only if it works end to end.',
  input_schema: {
    type: 'object',
    properties: {
      verdict: { type: 'string', enum: ['pass', 'fail'] },
      commands: { type: 'array', items: { type: 'string' }, description: 'The commands you ran to check it.' },
      output: { type: 'string', description: 'The output (or the excerpt of it) that supports the verdict.' },
    },
    required: ['verdict', 'commands', 'output'],
  },
};

function verifierBrief(feature: VerifierInput['feature'], sha: string | null): string {
  return [
    `Feature #${feature.index} (${feature.category}): ${feature.description}`,
    `Steps a user takes:\n${feature.steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}`,
    `The code to check is the workspace as committed${sha ? ` (commit ${sha.slice(0, 12)})` : ''}. Check the feature end to end, then call ${VERDICT_TOOL}.`,
  ].join('\n\n');
}

export async function runVerifier(input: VerifierInput): Promise<Verdict> {
  const { client, events, agent, signal } = input;
  const tools: Anthropic.ToolUnion[] = [...toolDefinitions(VERIFIER_TOOLS.filter((t) => !agent.allowedTools.length || agent.allowedTools.includes(t))), verdictTool];
  const system: Anthropic.TextBlockParam[] = [
    { type: 'text', text: `${agent.systemPrompt || VERIFIER_PROMPT}\n\n${platformNotes(input.root, agent.allowedCommands)}`, cache_control: { type: 'ephemeral' } },
  ];
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: verifierBrief(input.feature, input.sha) }];
  const usage = new UsageWriter(input.db, null, input.runId, 0, { id: input.feature.id, kind: 'VERIFICATION' });
  let nudged = false;
  try {
    for (let turn = 0; turn < Math.max(1, agent.maxTurns); turn++) {
      const message = await streamTurn(
        client,
        { model: agent.model, max_tokens: config().model.maxOutputTokens, system, tools, messages },
        signal,
        { onText: () => {}, onRetry: () => {} },
      );
      const u = message.usage;
      const tokens = {
        inputTokens: u?.input_tokens ?? 0,
        outputTokens: u?.output_tokens ?? 0,
        cacheReadInputTokens: u?.cache_read_input_tokens ?? 0,
        cacheCreationInputTokens: u?.cache_creation_input_tokens ?? 0,
      };
      const cost = costUsd(agent.model, tokens);
      input.budget.spentUsd += cost;
      usage.add(tokens, cost);

      const uses = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      messages.push({ role: 'assistant', content: message.content.flatMap((b): Anthropic.ContentBlockParam[] => (b.type === 'text' ? [{ type: 'text', text: b.text }] : b.type === 'tool_use' ? [{ type: 'tool_use', id: b.id, name: b.name, input: b.input }] : [])) });
      const verdictUse = uses.find((u) => u.name === VERDICT_TOOL);
      if (verdictUse) {
        const parsed = verdictInput.safeParse(verdictUse.input);
        if (parsed.success) return parsed.data;
      }
      if (!uses.length) {
        if (nudged) break;
        nudged = true;
        messages.push({ role: 'user', content: `Call ${VERDICT_TOOL} now with your verdict.` });
        continue;
      }
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const use of uses) results.push(await runTool(input, use));
      messages.push({ role: 'user', content: results });
    }
    return { verdict: 'fail', commands: [], output: 'The verifier ended without a verdict.' };
  } finally {
    await usage.flush().catch(() => undefined);
  }

  async function runTool(input: VerifierInput, use: Anthropic.ToolUseBlock): Promise<Anthropic.ToolResultBlockParam> {
    const shownInput = JSON.stringify(use.input ?? null).length > 8_000 ? '[input too long to show]' : use.input;
    events.emit({ type: 'TOOL_CALL', payload: { toolUseId: use.id, name: use.name, input: shownInput } });
    let output: string;
    let isError: boolean;
    const editorWrite = use.name === EDITOR_TOOL_NAME && (use.input as { command?: unknown } | null)?.command !== 'view';
    if (use.name === VERDICT_TOOL) {
      output = 'Invalid verdict: give "verdict" (pass or fail), "commands" and "output".';
      isError = true;
    } else if (editorWrite || !VERIFIER_TOOLS.includes(use.name)) {
      output = editorWrite ? 'The verifier may only view files (command "view").' : `Unknown tool "${use.name}".`;
      isError = true;
    } else {
      const result = await executeTool(use.name, use.input, input.toolCtx, VERIFIER_TOOLS);
      output = result.output.length > MODEL_OUTPUT_CHARS ? boundText(result.output, MODEL_OUTPUT_CHARS).text : result.output;
      isError = result.isError;
    }
    events.emit({ type: 'TOOL_RESULT', payload: { toolUseId: use.id, name: use.name, isError, output: boundText(output).text } });
    return { type: 'tool_result', tool_use_id: use.id, content: output, ...(isError ? { is_error: true } : {}) };
  }
}

// One agent session: stream a turn, run the tools it asked for (with feature-list enforcement, commit and test
// records around each call), feed the results back, until the model ends its turn or a limit ends the session.
import type Anthropic from '@anthropic-ai/sdk';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import type { LeaseCheck } from '../../src/runs/lease.js';
import { boundText, MAX_TEXT_CHARS, type EventSink } from '../../src/events/types.js';
import { costUsd, type TokenUsage } from '../../src/agent-config/pricing.js';
import type { CommandRunner } from '../sandbox/runner.js';
import { executeTool, isReadOnlyCall, toolDefinitions, type ToolContext } from '../tools/index.js';
import type { FeatureGuard, GuardVerdict } from './feature-guard.js';
import { runtimeMetrics } from './metrics.js';
import { ModelCallError, streamTurn } from './model-client.js';
import { messageBlock, type SessionCheckpoint } from './run-control.js';
import { selectRunControl, takeRunMessages } from '../../src/db/sql/runs.js';
import { config } from '../../src/config/index.js';
import { CommitTracker, recordTestRun } from './records.js';
import { kickoffMessage, platformNotes } from './session-prompt.js';
import { TextCoalescer } from './text-coalescer.js';
import { addUserBlocks, toParam, withConversationBreakpoint } from './conversation.js';
import { UsageWriter } from './usage-writer.js';

export type SessionKind = 'INITIALIZER' | 'CODING' | 'CUSTOM';

export interface SessionAgent {
  model: string;
  systemPrompt: string;
  allowedTools: string[];
  allowedCommands: string[];
  maxTurns: number;
}

/** Shared with the run so a session can stop as soon as the run's budget is spent. */
export interface BudgetState {
  limitUsd: number | null;
  spentUsd: number;
}

export interface SessionInput {
  client: Anthropic;
  db: PrismaClient;
  events: EventSink;
  runId: string;
  projectId: string;
  sessionId: string;
  sessionNumber: number;
  kind: SessionKind;
  agent: SessionAgent;
  root: string;
  signal: AbortSignal;
  guard: FeatureGuard;
  commits: CommitTracker;
  budget: BudgetState;
  restarted: boolean;
  leftovers: string[];
  /** The session's command runner (its sandbox), closed by the caller when the session ends. */
  commands: CommandRunner;
  lease?: LeaseCheck;
  /** The conversation of this session when it was paused: it continues from there instead of a kickoff. */
  checkpoint?: SessionCheckpoint | null;
  /** Said in the kickoff (e.g. verifications of the previous session's claims). */
  notes?: string[];
  /** The feature the session works on (the first failing one): its usage is attributed to it (Feature.usage). */
  featureId?: string | null;
}

export interface SessionResult {
  turns: number;
  /** paused, budget and rate_limited leave the session open with a checkpoint (the run is PAUSED). */
  stopReason: 'end_turn' | 'max_turns' | 'budget' | 'refusal' | 'paused' | 'rate_limited';
  newlyPassing: number;
  /** rate_limited: when the API allows the next call. */
  resumeAt?: Date;
}

/** What the model sees of one tool's output; the event copy is bounded separately. */
const MODEL_OUTPUT_CHARS = 30_000;
const EVENT_INPUT_STRING_CHARS = 4_000;
const UNCHECKED: GuardVerdict = { newlyPassing: [], rejected: false };

export async function runSession(input: SessionInput): Promise<SessionResult> {
  const { client, db, events, agent, signal, guard, commits } = input;
  const maxTokens = config().model.maxOutputTokens;
  const tools = toolDefinitions(agent.allowedTools);
  // The stable prefix (tools, then system) is cached through the breakpoint on the system block.
  const system: Anthropic.TextBlockParam[] = [
    { type: 'text', text: `${agent.systemPrompt}\n\n${platformNotes(input.root, agent.allowedCommands)}`, cache_control: { type: 'ephemeral' } },
  ];
  const messages: Anthropic.MessageParam[] = input.checkpoint
    ? [...input.checkpoint.messages]
    : [{ role: 'user', content: [{ type: 'text', text: kickoffMessage(input.kind, input.sessionNumber, input.restarted, input.leftovers, input.notes) }] }];
  const toolCtx: ToolContext = {
    root: input.root,
    allowedCommands: agent.allowedCommands,
    signal,
    commands: input.commands,
    timeoutMs: config().agent.commandTimeoutMs,
    maxOutputBytes: config().agent.commandOutputBytes,
  };
  const lenient = input.kind === 'INITIALIZER';
  const text = new TextCoalescer((chunk) => {
    for (let i = 0; i < chunk.length; i += MAX_TEXT_CHARS) events.emit({ type: 'TEXT', payload: { text: chunk.slice(i, i + MAX_TEXT_CHARS), session: input.sessionNumber } });
  });
  let turns = input.checkpoint?.turns ?? 0;
  let newlyPassing = 0;
  // Every turn's usage is written by default (a crash loses none of what was paid for); SHIPYARD_USAGE_FLUSH_MS > 0
  // trades that for fewer statements under many concurrent runs.
  const usageWrites = new UsageWriter(db, input.sessionId, input.runId, config().agent.usageFlushMs, input.featureId ? { id: input.featureId, kind: 'CODING' } : null);
  let result: SessionResult;
  try {
    result = await loop();
  } finally {
    // Usage rows must be complete before the session is closed (and before a crash report, as far as possible).
    await usageWrites.flush().catch(() => undefined);
  }
  if (usageWrites.error) throw usageWrites.error;
  return result;

  /** Ends the session between turns with its conversation saved; the resumed run continues from it. */
  async function park(stopReason: 'paused' | 'budget' | 'rate_limited', resumeAt?: Date): Promise<SessionResult> {
    const checkpoint: SessionCheckpoint = { messages, turns };
    await db.agentSession.update({ where: { id: input.sessionId }, data: { checkpoint: JSON.parse(JSON.stringify(checkpoint)) } });
    return { turns, stopReason, newlyPassing, resumeAt };
  }

  /** Between turns: a pause request ends the session here; people's messages join the next request. */
  async function betweenTurns(): Promise<SessionResult | null> {
    const control = await selectRunControl(db, input.runId);
    if (control.pauseRequested) return park('paused');
    if (!control.messagesWaiting) return null;
    const delivered = await takeRunMessages(db, input.runId);
    if (!delivered.length) return null;
    addUserBlocks(messages, delivered.map(messageBlock));
    for (const m of delivered) {
      events.emit({ type: 'USER_MESSAGE', payload: { text: boundText(m.text).text, authorId: m.authorId, authorName: m.authorName, session: input.sessionNumber } });
    }
    return null;
  }

  async function loop(): Promise<SessionResult> {
    for (;;) {
      if (usageWrites.error) throw usageWrites.error;
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      const parked = await betweenTurns();
      if (parked) return parked;
      const started = performance.now();
      let message: Anthropic.Message;
      try {
        message = await streamTurn(
          client,
          { model: agent.model, max_tokens: maxTokens, system, tools, messages: withConversationBreakpoint(messages) },
          signal,
          {
            onText: (delta) => text.push(delta),
            onRetry: (error, attempt, delayMs) => {
              text.flush();
              events.emit({ type: 'ERROR', payload: { message: boundText(`${error.message}; retrying in ${Math.round(delayMs)} ms (attempt ${attempt + 1}).`).text, code: error.code, retryable: true } });
            },
          },
        );
      } catch (error) {
        if (error instanceof ModelCallError && error.resumeAt && !signal.aborted) {
          events.emit({ type: 'ERROR', payload: { message: boundText(error.message).text, code: error.code, retryable: true } });
          return park('rate_limited', error.resumeAt);
        }
        throw error;
      } finally {
        text.flush();
      }
      runtimeMetrics.modelMs += performance.now() - started;
      runtimeMetrics.turns++;
      turns++;
      recordUsage(input, message, usageWrites);

      const toolUses = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      messages.push({ role: 'assistant', content: message.content.map(toParam).filter((b) => b !== null) });

      if (toolUses.length) {
        const results: Anthropic.ToolResultBlockParam[] = [];
        for (const use of toolUses) {
          results.push(await runToolCall(input, use, toolCtx, lenient, (n) => (newlyPassing += n)));
        }
        messages.push({ role: 'user', content: results });
      } else if (message.stop_reason === 'max_tokens') {
        messages.push({ role: 'user', content: [{ type: 'text', text: 'Your reply hit the output token limit. Continue where you left off, in smaller steps.' }] });
      } else if (message.stop_reason === 'pause_turn') {
        // The API paused a long turn; sending the conversation back lets it continue.
      } else {
        return { turns, stopReason: message.stop_reason === 'refusal' ? 'refusal' : 'end_turn', newlyPassing };
      }
      if (input.budget.limitUsd !== null && input.budget.spentUsd >= input.budget.limitUsd) return park('budget');
      if (turns >= agent.maxTurns) return { turns, stopReason: 'max_turns', newlyPassing };
    }
  }
}

async function runToolCall(input: SessionInput, use: Anthropic.ToolUseBlock, ctx: ToolContext, lenient: boolean, addPassing: (n: number) => void): Promise<Anthropic.ToolResultBlockParam> {
  const { events, guard, commits, db } = input;
  events.emit({ type: 'TOOL_CALL', payload: { toolUseId: use.id, name: use.name, input: boundInput(use.input), session: input.sessionNumber } });
  if (input.lease) {
    // Fencing: the TOOL_CALL row is stored only under our lease epoch, and the lease must have time left.
    await events.flush();
    input.lease.assertHeld();
  }
  const readOnly = isReadOnlyCall(use.name, use.input);
  const before = readOnly ? null : guard.lastKnownText();
  const result = await executeTool(use.name, use.input, ctx, input.agent.allowedTools);
  runtimeMetrics.toolMs += result.durationMs;
  const verdict: GuardVerdict = readOnly ? UNCHECKED : await guard.afterTool(before, lenient);
  if (verdict.newlyPassing.length) addPassing(verdict.newlyPassing.length);
  if (!readOnly) await commits.check();
  if (result.test) await recordTestRun(db, events, input.projectId, input.runId, result.test);

  let output = result.output.length > MODEL_OUTPUT_CHARS ? boundText(result.output, MODEL_OUTPUT_CHARS).text : result.output;
  if (verdict.note) output += `\n\n[platform] ${verdict.note}`;
  const isError = result.isError || verdict.rejected;
  const bounded = boundText(output);
  events.emit({
    type: 'TOOL_RESULT',
    payload: { toolUseId: use.id, name: use.name, isError, output: bounded.text, truncated: bounded.truncated || undefined, durationMs: Math.round(result.durationMs) },
  });
  return { type: 'tool_result', tool_use_id: use.id, content: output, ...(isError ? { is_error: true } : {}) };
}

/** Adds one turn's usage to the in-memory budget (the budget check) and to the batched row writes. */
function recordUsage(input: SessionInput, message: Anthropic.Message, writes: UsageWriter): void {
  const u = message.usage;
  const usage: TokenUsage = {
    inputTokens: u?.input_tokens ?? 0,
    outputTokens: u?.output_tokens ?? 0,
    cacheReadInputTokens: u?.cache_read_input_tokens ?? 0,
    cacheCreationInputTokens: u?.cache_creation_input_tokens ?? 0,
  };
  const cost = costUsd(input.agent.model, usage);
  input.budget.spentUsd += cost;
  writes.add(usage, cost);
}

/** Tool inputs can carry whole files: long strings are shortened for the event (the tool still gets everything). */
function boundInput(value: unknown): unknown {
  if (typeof value === 'string') return value.length > EVENT_INPUT_STRING_CHARS ? boundText(value, EVENT_INPUT_STRING_CHARS).text : value;
  if (Array.isArray(value)) return value.slice(0, 100).map(boundInput);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).slice(0, 50).map(([k, v]) => [k, boundInput(v)]));
  return value;
}

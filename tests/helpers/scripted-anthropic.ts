// A scripted Messages API: POST /v1/messages with stream:true answered over SSE exactly as the real API streams
// (message_start, content_block_start/delta/stop with text_delta and input_json_delta chunks, message_delta with
// usage, message_stop), or with error responses (429 + retry-after, 529 overloaded_error, SSE error events).
// Each request takes the next scripted step; a step may be a function of the request it answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type ScriptBlock = { type: 'text'; text: string } | { type: 'tool_use'; name: string; input: unknown; id?: string };

export interface ScriptUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface ScriptTurn {
  content: ScriptBlock[];
  stop_reason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'pause_turn' | 'refusal';
  usage?: ScriptUsage;
  /** Milliseconds between SSE events (default 0); a function is asked again for every pause (e.g. for jitter). */
  delayMs?: number | (() => number);
  /** Milliseconds between message_start and the first content block (the model's time to first token). */
  firstTokenDelayMs?: number | (() => number);
}

export type ScriptStep =
  | ScriptTurn
  | { error: { status: number; type: string; message: string; retryAfter?: number } }
  /** Starts streaming normally, then sends an SSE `error` event instead of finishing. */
  | { streamError: { type: string; message: string }; partialText?: string }
  /** Sends message_start and then nothing until the client goes away. */
  | { hang: true }
  /** Holds the request until `after` settles, then answers with `step` (lets a test act while a turn is in flight). */
  | { after: Promise<unknown>; step: ScriptStep }
  | ((request: RecordedRequest) => ScriptStep);

export interface RecordedRequest {
  headers: IncomingMessage['headers'];
  body: {
    model: string;
    max_tokens: number;
    stream?: boolean;
    system?: unknown;
    tools?: Array<Record<string, unknown>>;
    messages: Array<{ role: string; content: unknown }>;
  };
}

export interface ScriptedAnthropic {
  url: string;
  requests: RecordedRequest[];
  enqueue(...steps: ScriptStep[]): void;
  remaining(): number;
  /** Drops the steps not used yet (so one test's leftovers never answer the next test's requests). */
  clear(): void;
  /** Environment for the SDK: ANTHROPIC_BASE_URL and a dummy ANTHROPIC_API_KEY. */
  env(): { ANTHROPIC_BASE_URL: string; ANTHROPIC_API_KEY: string };
  close(): Promise<void>;
}

export const DEFAULT_USAGE: ScriptUsage = { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
export const TEST_API_KEY = 'sk-ant-test-dummy';

export interface ScriptedOptions {
  steps?: ScriptStep[];
  /** Answers requests once the queue is empty; without it an exhausted script answers 500 (not retried). */
  fallback?: (request: RecordedRequest) => ScriptStep;
  /** Characters per input_json_delta chunk (default 7, so every tool input arrives in several pieces). */
  jsonChunk?: number;
  /** Keep only the last request recorded (for long benchmarks). */
  recordLimit?: number;
}

export async function startScriptedAnthropic(opts: ScriptedOptions = {}): Promise<ScriptedAnthropic> {
  const queue: ScriptStep[] = [...(opts.steps ?? [])];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  let ids = 0;

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(error) } }));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) return sendError(res, 404, 'not_found_error', `No route ${req.method} ${req.url}`);
    const key = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (!key) return sendError(res, 401, 'authentication_error', 'x-api-key header is required');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: RecordedRequest = { headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
    requests.push(request);
    if (opts.recordLimit && requests.length > opts.recordLimit) requests.splice(0, requests.length - opts.recordLimit);

    let step: ScriptStep | undefined = queue.shift() ?? opts.fallback?.(request);
    for (;;) {
      if (typeof step === 'function') step = step(request);
      else if (step && 'after' in step) {
        await step.after;
        step = step.step;
      } else break;
    }
    if (!step) return sendError(res, 500, 'api_error', 'The scripted server has no step left for this request', { 'x-should-retry': 'false' });
    if ('error' in step) {
      const headers: Record<string, string> = step.error.retryAfter !== undefined ? { 'retry-after': String(step.error.retryAfter) } : {};
      return sendError(res, step.error.status, step.error.type, step.error.message, headers);
    }
    if (!request.body.stream) return sendError(res, 400, 'invalid_request_error', 'The scripted server only streams (stream: true)');

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': `req_scripted_${++ids}` });
    const msgId = `msg_scripted_${++ids}`;
    if ('hang' in step) {
      await sse(res, 'message_start', messageStart(msgId, request.body.model, DEFAULT_USAGE));
      return; // the client aborts; the socket closes
    }
    if ('streamError' in step) {
      await sse(res, 'message_start', messageStart(msgId, request.body.model, DEFAULT_USAGE));
      if (step.partialText) {
        await sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
        await sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: step.partialText } });
      }
      await sse(res, 'error', { type: 'error', error: { type: step.streamError.type, message: step.streamError.message } });
      res.end();
      return;
    }
    await streamTurn(res, msgId, request.body.model, step);
  }

  async function streamTurn(res: ServerResponse, msgId: string, model: string, turn: ScriptTurn) {
    const usage = { ...DEFAULT_USAGE, ...turn.usage };
    const delay = turn.delayMs;
    const wait = (ms: number | (() => number) | undefined) => (ms ? new Promise((r) => setTimeout(r, typeof ms === 'function' ? ms() : ms)) : undefined);
    const pause = () => wait(delay);
    const send = async (event: string, data: unknown) => {
      await sse(res, event, data);
      await pause();
    };
    await send('message_start', messageStart(msgId, model, { ...usage, output_tokens: 1 }));
    await send('ping', { type: 'ping' });
    await wait(turn.firstTokenDelayMs);
    const jsonChunk = opts.jsonChunk ?? 7;
    for (const [index, block] of turn.content.entries()) {
      if (block.type === 'text') {
        await send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const piece of split(block.text, 12)) {
          await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
        }
      } else {
        const id = block.id ?? `toolu_scripted_${++ids}`;
        await send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: block.name, input: {} } });
        for (const piece of split(JSON.stringify(block.input ?? {}), jsonChunk)) {
          await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
        }
      }
      await send('content_block_stop', { type: 'content_block_stop', index });
    }
    const stopReason = turn.stop_reason ?? (turn.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    await send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: {
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
        cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
      },
    });
    await send('message_stop', { type: 'message_stop' });
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    enqueue: (...steps) => queue.push(...steps),
    remaining: () => queue.length,
    clear: () => void queue.splice(0),
    env: () => ({ ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: TEST_API_KEY }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function messageStart(id: string, model: string, usage: ScriptUsage) {
  return {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
        cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        service_tier: 'standard',
      },
    },
  };
}

function sse(res: ServerResponse, event: string, data: unknown): Promise<void> {
  const ok = res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  return ok ? Promise.resolve() : new Promise((resolve) => res.once('drain', () => resolve()));
}

function sendError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_scripted_error', ...headers });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}

function split(text: string, size: number): string[] {
  if (!text) return [''];
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

// Small builders for readable scripts.
export const say = (text: string, usage?: ScriptUsage): ScriptTurn => ({ content: [{ type: 'text', text }], usage });
export const bash = (command: string, text?: string, usage?: ScriptUsage): ScriptTurn => ({
  content: [...(text ? [{ type: 'text' as const, text }] : []), { type: 'tool_use', name: 'bash', input: { command } }],
  usage,
});
export const editor = (input: Record<string, unknown>, usage?: ScriptUsage): ScriptTurn => ({
  content: [{ type: 'tool_use', name: 'str_replace_based_edit_tool', input }],
  usage,
});
export const tool = (name: string, input: unknown, usage?: ScriptUsage): ScriptTurn => ({ content: [{ type: 'tool_use', name, input }], usage });

/** The tool_result blocks of a request's last user message. */
export function toolResults(request: RecordedRequest): Array<{ tool_use_id: string; content: string; is_error?: boolean }> {
  const last = request.body.messages.at(-1);
  if (!last || !Array.isArray(last.content)) return [];
  return (last.content as Array<Record<string, unknown>>)
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({ tool_use_id: b.tool_use_id as string, content: typeof b.content === 'string' ? b.content : JSON.stringify(b.content), is_error: b.is_error as boolean | undefined }));
}

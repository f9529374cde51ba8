// The worker's Messages API client runs the real SDK over worker/agent/node-fetch.ts (node:http, Node stream bodies):
// streaming, error answers, retries, aborts and connection failures behave as with the built-in fetch.
import { createServer } from 'node:http';
import Anthropic, { APIConnectionError, APIUserAbortError, RateLimitError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from '../worker/agent/node-fetch.js';
import { freePort } from './helpers/processes.js';
import { bash, say, startScriptedAnthropic, TEST_API_KEY, type ScriptedAnthropic } from './helpers/scripted-anthropic.js';

let model: ScriptedAnthropic;
beforeAll(async () => {
  model = await startScriptedAnthropic();
});
afterAll(() => model?.close());

const client = (opts: { baseURL?: string; maxRetries?: number } = {}) =>
  new Anthropic({ baseURL: opts.baseURL ?? model.url, apiKey: TEST_API_KEY, maxRetries: opts.maxRetries ?? 0, fetch: nodeFetch });
const params = { model: 'claude-sonnet-5-5', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('node-fetch under the Anthropic SDK', () => {
  it('streams text deltas and tool input as they arrive, with usage and the request id header', async () => {
    model.enqueue(say('Hello from the scripted model, in several deltas.', { input_tokens: 11, output_tokens: 7 }), bash('ls -la'));
    const deltas: string[] = [];
    const stream = client().messages.stream(params);
    stream.on('text', (d) => deltas.push(d));
    const message = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Hello from the scripted model, in several deltas.');
    expect(message.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    const tool = await client().messages.stream(params).finalMessage();
    expect(tool.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'bash', input: { command: 'ls -la' } });
    expect(model.requests.at(-1)!.headers['content-type']).toContain('application/json');
  });

  it('turns error answers into the SDK errors, and the SDK retries 429 with retry-after on the same client', async () => {
    model.enqueue({ error: { status: 429, type: 'rate_limit_error', message: 'slow down' } });
    const failure = await client().messages.stream(params).finalMessage().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RateLimitError);
    expect((failure as RateLimitError).error).toMatchObject({ error: { type: 'rate_limit_error', message: 'slow down' } });

    model.enqueue({ error: { status: 429, type: 'rate_limit_error', message: 'slow down', retryAfter: 0 } }, say('after the retry'));
    const before = model.requests.length;
    const message = await client({ maxRetries: 2 }).messages.stream(params).finalMessage();
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'after the retry' })]);
    expect(model.requests.length - before).toBe(2);
  });

  it('aborts a stream that is waiting for the model', async () => {
    model.enqueue({ hang: true });
    const controller = new AbortController();
    const pending = client().messages.stream(params, { signal: controller.signal }).finalMessage();
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('reports a refused connection as a connection error', async () => {
    const port = await freePort();
    await expect(client({ baseURL: `http://127.0.0.1:${port}` }).messages.create(params)).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('hands requests it does not handle (stream bodies) to the built-in fetch', async () => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.end(`got ${body}`));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      const body = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('streamed')), c.close()) });
      const response = await nodeFetch(url, { method: 'POST', body, duplex: 'half' } as RequestInit);
      expect(await response.text()).toBe('got streamed');
      const plain = await nodeFetch(url, { method: 'POST', body: 'plain' });
      expect([plain.status, plain.url, await plain.text()]).toEqual([200, url, 'got plain']);
    } finally {
      server.close();
    }
  });
});

// The Messages API client: the SDK retries 429 / 529 / 5xx / connection errors itself (with backoff honouring
// retry-after); errors that arrive mid-stream (an SSE `error` event, a dropped connection) are retried here.
import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { nodeFetch } from './node-fetch.js';
import { config, type Config } from '../../src/config/index.js';

/** ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN / ANTHROPIC_BASE_URL (the SDK's own variables) come through the config. */
export function createModelClient(model: Config['model'] = config().model): Anthropic {
  return new Anthropic({
    apiKey: model.apiKey ?? null,
    authToken: model.authToken ?? null,
    ...(model.baseUrl ? { baseURL: model.baseUrl } : {}),
    maxRetries: model.maxRetries,
    timeout: model.timeoutMs,
    fetch: parkOnLongRetryAfter(nodeFetch),
  });
}

/** The longest retry-after (429/529) the worker waits for in place; a longer one parks the run (PAUSED, rate_limited). */
const rateLimitWaitMs = () => config().model.rateLimitMaxWaitMs;

/** Reads retry-after-ms / retry-after (seconds or an HTTP date) in milliseconds. */
function retryAfterMs(headers: Headers | undefined): number | null {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms)) return ms;
  const value = headers?.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null;
}

/**
 * Marks a 429/529 whose retry-after exceeds the wait budget as not to be retried (x-should-retry: false), so the SDK
 * gives up at once instead of holding a worker slot; the runtime then parks the run until that time.
 */
function parkOnLongRetryAfter(inner: typeof nodeFetch): typeof nodeFetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.status === 429 || response.status === 529) {
      const wait = retryAfterMs(response.headers);
      if (wait !== null && wait > rateLimitWaitMs()) {
        try {
          response.headers.set('x-should-retry', 'false');
        } catch {
          /* immutable headers (built-in fetch): the SDK's own retries run first */
        }
      }
    }
    return response;
  };
}

export class ModelCallError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code?: string,
    /** Set for a rate limit (429/529) that outlasts the wait budget: when to try again. */
    readonly resumeAt?: Date,
  ) {
    super(message);
    this.name = 'ModelCallError';
  }
}

export interface StreamCallbacks {
  onText(delta: string): void;
  /** A mid-stream failure is about to be retried (text already streamed from that attempt is discarded). */
  onRetry(error: ModelCallError, attempt: number, delayMs: number): void;
}

const RETRYABLE_TYPES = new Set(['overloaded_error', 'rate_limit_error', 'api_error', 'timeout_error']);

export function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || error instanceof APIUserAbortError || (error as Error)?.name === 'AbortError';
}

/** Said when neither credential is set: the worker logs it at start and every run fails with it at once. */
export const MISSING_CREDENTIALS =
  'No model credentials: set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) in the environment of the worker (`npm run worker` / `npm start`), restart it, and start the run again.';

export const hasModelCredentials = (model: Config['model'] = config().model) => Boolean(model.apiKey || model.authToken);

/** The innermost cause's message (e.g. "connect ECONNREFUSED 127.0.0.1:9" under the SDK's "Connection error."). */
function rootCause(error: unknown): string {
  let current = error as { cause?: unknown; message?: string } | undefined;
  while (current?.cause && typeof current.cause === 'object') current = current.cause as typeof current;
  return current?.message ?? String(error);
}

/** A readable account of an API failure, without secrets. `baseUrl` is named when the API could not be reached. */
function describeModelError(error: unknown, baseUrl?: string): ModelCallError {
  if (error instanceof ModelCallError) return error;
  if (error instanceof APIConnectionError && !(error instanceof APIConnectionTimeoutError)) {
    // The SDK already retried the connection (SHIPYARD_API_MAX_RETRIES times): retrying again here only delays the answer.
    const where = baseUrl ? ` at ${baseUrl}` : '';
    return new ModelCallError(
      `Could not connect to the model API${where} (${rootCause(error)}): check ANTHROPIC_BASE_URL and that the endpoint is up and reachable from the worker.`,
      false,
      'connection_error',
    );
  }
  if (error instanceof APIError) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    const type = body?.error?.type ?? (error as { type?: string }).type;
    const detail = body?.error?.message ?? error.message;
    const status = error.status;
    if (status === 401) return new ModelCallError('The Anthropic API rejected the API key (401): check ANTHROPIC_API_KEY.', false, 'authentication_error');
    if (status === 403) return new ModelCallError(`The Anthropic API refused the request (403): ${detail}`, false, type);
    if (status === undefined) {
      // Errors with no status arrived inside the stream (SSE error event) or are connection failures.
      const retryable = !type || RETRYABLE_TYPES.has(type);
      return new ModelCallError(`The model stream failed${type ? ` (${type})` : ''}: ${detail}`, retryable, type ?? 'connection_error');
    }
    if (status === 429 || status === 529) {
      const wait = retryAfterMs(error.headers ?? undefined);
      if (wait !== null && wait > rateLimitWaitMs()) {
        return new ModelCallError(`The Anthropic API answered ${status}${type ? ` ${type}` : ''}: ${detail} (retry after ${Math.round(wait / 1000)} s)`, false, 'rate_limited', new Date(Date.now() + wait));
      }
    }
    // HTTP-level failures reach us only after the SDK's own retries (maxRetries) ran out.
    const transient = status === 429 || status === 529 || status >= 500 || status === 408;
    const retries = transient ? ` (gave up after the SDK's retries)` : '';
    return new ModelCallError(`The Anthropic API answered ${status}${type ? ` ${type}` : ''}: ${detail}${retries}`, false, type ?? String(status));
  }
  const message = (error as Error)?.message ?? String(error);
  return new ModelCallError(`The connection to the model failed: ${message}`, true, 'connection_error');
}

/**
 * One model turn over messages.stream. Failures the SDK cannot retry because they happen after the response
 * started (mid-stream errors, dropped connections) are retried here with backoff; the final failure is thrown as a
 * ModelCallError. Aborting the signal aborts the HTTP request.
 */
export async function streamTurn(
  client: Anthropic,
  params: Anthropic.Messages.MessageStreamParams,
  signal: AbortSignal,
  callbacks: StreamCallbacks,
): Promise<Anthropic.Message> {
  const attempts = config().model.streamRetries + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      const stream = client.messages.stream(params, { signal });
      stream.on('text', (delta) => callbacks.onText(delta));
      return await stream.finalMessage();
    } catch (error) {
      if (isAbort(error, signal)) throw error;
      const failure = describeModelError(error, client.baseURL);
      if (!failure.retryable || attempt >= attempts) {
        throw attempt > 1 ? new ModelCallError(`${failure.message} (after ${attempt} attempts)`, false, failure.code, failure.resumeAt) : failure;
      }
      const delayMs = Math.min(500 * 2 ** (attempt - 1), 8_000) * (1 - Math.random() * 0.25);
      callbacks.onRetry(failure, attempt, delayMs);
      await sleep(delayMs, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new APIUserAbortError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new APIUserAbortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// followRun: every event of a run after `afterSeq`, in order, each seq exactly once, across any number of dropped
// connections (API restarts, network loss): each new subscription asks for what comes after the last seq yielded.
import type { Client, CombinedError } from '@urql/core';
import { toAsyncIterable } from 'wonka';
import { FollowRunDocument, type RunEventFieldsFragment } from './generated/graphql.js';

export type RunEvent = RunEventFieldsFragment;

export interface FollowRunOptions {
  /** Start after this seq (0 = from the first event). */
  afterSeq?: number;
  /** Ends the iteration (it returns; no error). */
  signal?: AbortSignal;
  /** First delay before resubscribing after a failure; doubles up to maxRetryDelayMs. Default 250 ms / 5 s. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Called before each resubscription, with the seq it resumes after and why. */
  onReconnect?: (info: { afterSeq: number; reason: string }) => void;
}

/** Answers that resubscribing cannot change: the caller has to. */
const FINAL_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']);

export class FollowRunError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'FollowRunError';
  }
}

const codeOf = (error: CombinedError) => error.graphQLErrors.map((e) => e.extensions?.code).find((c): c is string => typeof c === 'string');

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export async function* followRun(client: Client, runId: string, options: FollowRunOptions = {}): AsyncGenerator<RunEvent, void> {
  const { signal } = options;
  const firstDelay = options.retryDelayMs ?? 250;
  let delay = firstDelay;
  let last = options.afterSeq ?? 0;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal?.aborted) resolve('aborted');
    signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });

  while (!signal?.aborted) {
    const results = toAsyncIterable(client.subscription(FollowRunDocument, { runId, afterSeq: last }))[Symbol.asyncIterator]();
    let reason = 'the subscription ended before the run completed';
    try {
      for (;;) {
        if (signal?.aborted) return; // before racing: an already-buffered result would win the race
        const next = await Promise.race([results.next(), aborted]);
        if (next === 'aborted' || next.done) break;
        const { data, error } = next.value;
        if (error) {
          const code = codeOf(error);
          if (code && FINAL_CODES.has(code)) throw new FollowRunError(error.message, code);
          reason = error.message;
          break;
        }
        const event = data?.agentRunEvents;
        if (!event || event.seq <= last) continue; // already yielded (a transport's own replay)
        if (event.seq !== last + 1) {
          reason = `seq ${event.seq} arrived after ${last}`; // a hole: resubscribing fills it from Postgres
          break;
        }
        last = event.seq;
        delay = firstDelay;
        yield event;
        if (event.type === 'COMPLETE') return;
      }
    } finally {
      await results.return?.();
    }
    if (signal?.aborted) return;
    options.onReconnect?.({ afterSeq: last, reason });
    await sleep(delay, signal);
    delay = Math.min(delay * 2, options.maxRetryDelayMs ?? 5_000);
  }
}

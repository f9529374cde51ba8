// Subscriptions: execute the selection set once per source event for all subscribers that would get the same answer.
// The event hub hands the same RunEvent object to every local subscriber of a run, so the result of executing one
// document (with the same variables, for the same viewer) over that object is memoized on the object: 100 subscribers
// cost one execution per event instead of 100. Authorization is untouched: the stream still
// re-checks membership per event per subscriber before yielding, and the cache key includes the viewer.
// A stream that returns an EventBatchStream is read batch by batch; the subscription's live push (ctx.live, when it
// is a LivePush) gets this subscription's executor, and says whether results may travel on as ResultBatches.
import { createSourceEventStream, execute, getOperationAST, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { buildExecutionContext } from '@graphql-tools/executor';
import type { Plugin } from 'graphql-yoga';
import type { LiveDelivery } from '../subscriptions/delivery.js';
import { EventBatch, EventBatchStream } from '../subscriptions/batch.js';
import { ResultBatch } from './result-batch.js';
import { LivePush } from './live-push.js';

type MaybePromise<T> = T | Promise<T>;

export interface SharedExecutionOptions<C> {
  /** Who the result is for: results are shared only between subscriptions with the same key. */
  viewerKey: (context: C) => string;
}

/** The results computed so far, per source event object and per (document, operation, variables, viewer). */
class SharedResults {
  private readonly byEvent = new WeakMap<object, Map<string, MaybePromise<ExecutionResult>>>();
  private readonly documentIds = new WeakMap<DocumentNode, number>();
  private nextDocumentId = 1;

  documentId(document: DocumentNode): number {
    let id = this.documentIds.get(document);
    if (id === undefined) this.documentIds.set(document, (id = this.nextDocumentId++));
    return id;
  }

  /** The result for this key over this event, computed by `execute` the first time it is asked for. */
  of(event: object, key: string, execute: () => MaybePromise<ExecutionResult>): MaybePromise<ExecutionResult> {
    let results = this.byEvent.get(event);
    if (!results) this.byEvent.set(event, (results = new Map()));
    let result = results.get(key);
    if (!result) results.set(key, (result = execute()));
    return result;
  }
}

export function useSharedSubscriptionExecution<C extends { live?: LiveDelivery }>(opts: SharedExecutionOptions<C>): Plugin<C> {
  const shared = new SharedResults();
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn((args) => sharedSubscribe(args as ExecutionArgs, subscribeFn as (a: ExecutionArgs) => unknown, opts, shared) as never);
    },
  };
}

async function sharedSubscribe<C extends { live?: LiveDelivery }>(args: ExecutionArgs, fallback: (a: ExecutionArgs) => unknown, opts: SharedExecutionOptions<C>, shared: SharedResults) {
  // Requests that cannot run (bad variables, no operation) get the default executor's exact error answer.
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation || operation.operation !== 'subscription' || !('schema' in buildExecutionContext(args as never))) return fallback(args);
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const context = args.contextValue as C;
  const key = `${shared.documentId(args.document)}|${args.operationName ?? ''}|${JSON.stringify(args.variableValues ?? {})}|${opts.viewerKey(context)}`;
  const run = (payload: unknown) =>
    payload === null || typeof payload !== 'object' ? executeOnce(args, payload) : shared.of(payload, key, () => executeOnce(args, payload));
  const live = context?.live instanceof LivePush ? context.live : undefined;
  live?.attachExecutor(run, key);
  // Results may travel as ResultBatches only to a transport that frames them (it says so once it has attached).
  const batches = () => live?.framesResultBatches ?? false;
  const items = source instanceof EventBatchStream ? source.batches : source;
  return mapEvents(items, run, (error) => new GraphQLError((error as Error).message, { originalError: error as Error, nodes: [operation] }), batches);
}

/** One execution with the event as root value (sse-frames.ts then frames the shared result once). */
const executeOnce = (args: ExecutionArgs, payload: unknown) => execute({ ...args, rootValue: payload }) as MaybePromise<ExecutionResult>;

/**
 * Maps a source stream, passing return() (unsubscribe) through and wrapping source errors like graphql-tools does.
 * An EventBatch from the source becomes ResultBatches when the transport frames them (SSE), else one result per event.
 */
function mapEvents<T>(
  source: AsyncIterable<T>,
  map: (value: unknown) => MaybePromise<ExecutionResult>,
  wrapError: (error: unknown) => Error,
  batches: () => boolean,
): AsyncIterableIterator<unknown> {
  const iterator = source[Symbol.asyncIterator]();
  // Items still to hand out from the last batch.
  let queued: unknown[] = [];
  let head = 0;
  const firstOf = (results: ExecutionResult[]): IteratorResult<unknown> => {
    queued = batches() ? groupResults(results) : results;
    head = 1;
    return { done: false, value: queued[0] };
  };
  const mapped: AsyncIterableIterator<unknown> = {
    // then() rather than async/await: one promise hop less per item per subscriber.
    next: () => {
      if (head < queued.length) return Promise.resolve({ done: false, value: queued[head++] });
      return iterator.next().then(
        (step): MaybePromise<IteratorResult<unknown>> => {
          if (step.done) return { done: true, value: undefined };
          if (step.value instanceof EventBatch) {
            const results = step.value.events.map(map);
            return results.some((r) => r instanceof Promise) ? Promise.all(results).then(firstOf) : firstOf(results as ExecutionResult[]);
          }
          const value = map(step.value);
          return value instanceof Promise ? value.then((v) => ({ done: false, value: v })) : { done: false, value };
        },
        (error) => {
          throw wrapError(error);
        },
      );
    },
    async return() {
      queued = [];
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      if (iterator.throw) await iterator.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}

/** Runs of error-free results become one ResultBatch each; a result with errors stays alone so it is masked. */
function groupResults(results: ExecutionResult[]): unknown[] {
  const items: unknown[] = [];
  let run: ExecutionResult[] = [];
  const flush = () => {
    if (run.length) items.push(run.length === 1 ? run[0] : new ResultBatch(run));
    run = [];
  };
  for (const result of results) {
    if (result.errors?.length) {
      flush();
      items.push(result);
    } else run.push(result);
  }
  flush();
  return items;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

// Subscriptions: execute the selection set once per source event for all subscribers that would get the same answer.
// The event hub hands the same RunEvent object to every local subscriber of a run, so the result of executing one
// document (with the same variables, for the same viewer) over that object is memoized on the object: 100 subscribers
// cost one execution per event instead of 100. Authorization is untouched: the stream still
// re-checks membership per event per subscriber before yielding, and the cache key includes the viewer.
import { createSourceEventStream, execute, getOperationAST, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { buildExecutionContext } from '@graphql-tools/executor';
import type { Plugin } from 'graphql-yoga';

type MaybePromise<T> = T | Promise<T>;

/** Per source event object: the result per (document, operation, variables, viewer). Dies with the event. */
const resultsByEvent = new WeakMap<object, Map<string, MaybePromise<ExecutionResult>>>();
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 1;

const documentId = (document: DocumentNode) => {
  let id = documentIds.get(document);
  if (id === undefined) documentIds.set(document, (id = nextDocumentId++));
  return id;
};

export interface SharedExecutionOptions<C> {
  /** Who the result is for: results are shared only between subscriptions with the same key. */
  viewerKey: (context: C) => string;
}

export function useSharedSubscriptionExecution<C extends object>(opts: SharedExecutionOptions<C>): Plugin<C> {
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn((args) => sharedSubscribe(args as ExecutionArgs, subscribeFn as (a: ExecutionArgs) => unknown, opts) as never);
    },
  };
}

async function sharedSubscribe<C>(args: ExecutionArgs, fallback: (a: ExecutionArgs) => unknown, opts: SharedExecutionOptions<C>) {
  // Requests that cannot run (bad variables, no operation) get the default executor's exact error answer.
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation || operation.operation !== 'subscription' || !('schema' in buildExecutionContext(args as never))) return fallback(args);
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const key = `${documentId(args.document)}|${args.operationName ?? ''}|${JSON.stringify(args.variableValues ?? {})}|${opts.viewerKey(args.contextValue as C)}`;
  const run = (payload: unknown) => {
    if (payload === null || typeof payload !== 'object') return executeOnce(args, payload);
    let results = resultsByEvent.get(payload);
    if (!results) resultsByEvent.set(payload, (results = new Map()));
    let result = results.get(key);
    if (!result) results.set(key, (result = executeOnce(args, payload)));
    return result;
  };
  return mapEvents(source, run, (error) => new GraphQLError((error as Error).message, { originalError: error as Error, nodes: [operation] }));
}

/** One execution with the event as root value (sse-frames.ts then frames the shared result once). */
const executeOnce = (args: ExecutionArgs, payload: unknown) => execute({ ...args, rootValue: payload }) as MaybePromise<ExecutionResult>;

/** Maps a source stream, passing return() (unsubscribe) through and wrapping source errors like graphql-tools does. */
function mapEvents<T, R>(source: AsyncIterable<T>, map: (value: T) => MaybePromise<R>, wrapError: (error: unknown) => Error): AsyncIterableIterator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const mapped: AsyncIterableIterator<R> = {
    // then() rather than async/await: one promise hop less per event per subscriber.
    next: () =>
      iterator.next().then(
        (step): MaybePromise<IteratorResult<R>> => {
          if (step.done) return { done: true, value: undefined };
          const value = map(step.value);
          return value instanceof Promise ? value.then((v) => ({ done: false, value: v })) : { done: false, value };
        },
        (error) => {
          throw wrapError(error);
        },
      ),
    async return() {
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

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

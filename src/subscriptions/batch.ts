// Several source events (or their results) carried through the subscription pipeline as ONE item. Every layer
// between the run stream and the socket (generator, envelop/Yoga wrappers, shared execution, SSE body) costs a few
// promises per item per subscriber; when a subscriber is behind (several events buffered), one item per batch lets
// it catch up instead of falling further behind. Transports that do not understand batches get them flattened
// (shared-execution.ts), so clients always see one result per event.
import type { ExecutionResult } from 'graphql';
import type { RunEvent } from '../events/types.js';

/** Consecutive events of one stream, in order, already authorized for the subscriber. */
export class EventBatch {
  constructor(readonly events: RunEvent[]) {}
}

/** The results of one EventBatch, none carrying errors (an errored result travels alone, so masking still sees it). */
export class ResultBatch {
  constructor(readonly results: ExecutionResult[]) {}
}

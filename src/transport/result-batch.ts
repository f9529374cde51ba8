// The results of one EventBatch (src/subscriptions/batch.ts) as ONE item between shared execution and the SSE body,
// which frames each result. None carries errors: an errored result travels alone, so Yoga's masking still sees it.
import type { ExecutionResult } from 'graphql';

export class ResultBatch {
  constructor(readonly results: ExecutionResult[]) {}
}

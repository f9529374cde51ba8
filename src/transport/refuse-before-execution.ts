// The skeleton the input-checking Yoga plugins share: ask `refusal` about each operation (queries, mutations and
// subscriptions alike) after validation, and answer with its error instead of running the operation.
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** What a refusal may look at: the parts of the execution arguments both of Yoga's hooks receive. */
export interface OperationArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variableValues?: Record<string, unknown> | null;
}

export function refuseBeforeExecution<C extends object>(refusal: (args: OperationArgs) => GraphQLError | null): Plugin<C> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = refusal(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = refusal(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

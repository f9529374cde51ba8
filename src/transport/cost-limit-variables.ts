// GraphQL Armor's cost limit multiplies a list's cost by its `first`/`last` only when that is a literal: it runs at
// validation, which sees no variables (and which Yoga caches per document). This plugin runs the same rule again at
// execution, with the request's `first`/`last` variables written into the operation as literals, so
// `projects(first: $n)` with n = 1000000 costs what `projects(first: 1000000)` costs and is refused the same way.
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { GraphQLError, Kind, getOperationAST, validate, visit, type DocumentNode, type ValueNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { logger } from '../logger.js';
import { refuseBeforeExecution, type OperationArgs } from './refuse-before-execution.js';

/** The cost limit's settings, shared by Armor (literal sizes, at validation) and this plugin (variable sizes). */
export const COST_LIMIT = { maxCost: 5000, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5 } as const;

const PAGE_ARGUMENTS = new Set(['first', 'last']);

/** Whether some `first`/`last` of the document is a variable, once per parsed document (Yoga reuses them). */
function pagesByVariable(document: DocumentNode, answers: WeakMap<DocumentNode, boolean>): boolean {
  let found = answers.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      [Kind.ARGUMENT](node) {
        if (PAGE_ARGUMENTS.has(node.name.value) && node.value.kind === Kind.VARIABLE) found = true;
      },
    });
    answers.set(document, found);
  }
  return found;
}

/** The operation that runs (and the fragments) with each `first`/`last` variable replaced by its value, when given. */
function withPageValues(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): DocumentNode | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const defaults = new Map(operation.variableDefinitions?.map((definition) => [definition.variable.name.value, definition.defaultValue]));
  const valueOf = (name: string): ValueNode | undefined => {
    const given = variables[name];
    // Integers beyond the safe range are no Int at all: execution refuses them as a bad variable.
    if (typeof given === 'number' && Number.isSafeInteger(given)) return { kind: Kind.INT, value: String(given) };
    const fallback = given === undefined ? defaults.get(name) : undefined;
    return fallback?.kind === Kind.INT ? fallback : undefined;
  };
  const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
  return visit({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }, {
    [Kind.ARGUMENT](node) {
      if (!PAGE_ARGUMENTS.has(node.name.value) || node.value.kind !== Kind.VARIABLE) return undefined;
      const value = valueOf(node.value.name.value);
      return value ? { ...node, value } : undefined;
    },
  });
}


/** Armor's verdict on the operation with its page sizes filled in: its error (as a validation failure) or null. */
function overLimit(args: OperationArgs, answers: WeakMap<DocumentNode, boolean>): GraphQLError | null {
  if (!args.variableValues || !pagesByVariable(args.document, answers)) return null;
  const filled = withPageValues(args.document, args.operationName, args.variableValues);
  if (!filled) return null;
  const refusals: GraphQLError[] = [];
  const rule = costLimitRule({ ...COST_LIMIT, propagateOnRejection: false, onReject: [(_context, error) => refusals.push(error)] });
  validate(args.schema, filled, [rule]);
  if (!refusals[0]) return null;
  // Logged like the literal form's refusal (graphql-handler.ts logs validation failures).
  logger.info({ code: 'GRAPHQL_VALIDATION_FAILED', message: refusals[0].message }, 'client error');
  return new GraphQLError(refusals[0].message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}

export function useCostLimitForVariables<C extends object>(): Plugin<C> {
  const answers = new WeakMap<DocumentNode, boolean>();
  return refuseBeforeExecution((args) => overLimit(args, answers));
}

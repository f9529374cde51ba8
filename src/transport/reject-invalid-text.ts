// Strings Postgres cannot store (NUL) or that are not valid Unicode (lone UTF-16 surrogates, which would be stored as
// U+FFFD) are refused as BAD_USER_INPUT before anything runs, wherever they appear: variables or inline literals.
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refuseBeforeExecution } from './refuse-before-execution.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function invalidText(value: string): boolean {
  return value.includes('\u0000') || LONE_SURROGATE.test(value);
}

/** The path of the first bad string inside a variables value, or null. */
function findInValue(value: unknown, path: string): string | null {
  if (typeof value === 'string') return invalidText(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findInValue(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (invalidText(key)) return `${path}.<key>`;
      const found = findInValue(inner, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/** `literalCheck`: the answer per parsed document (Yoga reuses parsed documents), one cache per plugin instance. */
function hasBadLiteral(document: DocumentNode, literalCheck: WeakMap<DocumentNode, boolean>): boolean {
  let bad = literalCheck.get(document);
  // The source text answers "no" cheaply for nearly every document: no NUL, no lone surrogate, no \u escape.
  const source = document.loc?.source.body;
  if (bad === undefined && source !== undefined && !source.includes('\\u') && !invalidText(source)) bad = false;
  if (bad === undefined) {
    bad = false;
    visit(document, {
      [Kind.STRING](node) {
        if (invalidText(node.value)) bad = true;
      },
    });
    literalCheck.set(document, bad);
  }
  return bad;
}

function problem(args: { document: DocumentNode; variableValues?: Record<string, unknown> | null }, literalCheck: WeakMap<DocumentNode, boolean>): GraphQLError | null {
  const where = args.variableValues ? findInValue(args.variableValues, '$') : null;
  if (!where && !hasBadLiteral(args.document, literalCheck)) return null;
  return new GraphQLError(
    `${where ? `Variable ${where}` : 'A string in the query'} contains a NUL character or invalid Unicode (a lone UTF-16 surrogate); send valid UTF-8 text without \\u0000.`,
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

export function useRejectInvalidText<C extends object>(): Plugin<C> {
  const literalCheck = new WeakMap<DocumentNode, boolean>();
  return refuseBeforeExecution((args) => problem(args, literalCheck));
}

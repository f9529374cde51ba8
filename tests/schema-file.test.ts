// schema.graphql is committed and must match the Pothos schema: run `npm run schema:print` after changing the API.
import { readFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';

function firstDifference(committed: string, current: string): string {
  const a = committed.split('\n');
  const b = current.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `first difference at line ${at + 1}:\n  committed: ${a[at] ?? '(end of file)'}\n  code:      ${b[at] ?? '(end of file)'}`;
}

describe('schema.graphql', () => {
  it('is up to date with the code (otherwise run npm run schema:print)', () => {
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    const current = printSchema(lexicographicSortSchema(schema)) + '\n';
    if (committed !== current) {
      expect.fail(`schema.graphql is stale: run \`npm run schema:print\` and commit it; ${firstDifference(committed, current)}`);
    }
  });
});

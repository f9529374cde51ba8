// Keeps the README true: every GraphQL operation it shows must validate against the schema the code builds.
import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const fenced = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
const inCurl = [...readme.matchAll(/"query":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);

describe('README examples', () => {
  it('shows operations, and each one validates against the schema', () => {
    expect(fenced.length).toBeGreaterThan(0);
    expect(inCurl.length).toBeGreaterThanOrEqual(4);
    for (const source of [...fenced, ...inCurl]) {
      expect(validate(schema, parse(source)).map((e) => e.message), source).toEqual([]);
    }
  });
});

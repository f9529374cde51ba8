// Data access has one home: resolvers, REST handlers and auth get the database from the request (ctx.services), and
// every hand-written SQL statement lives in src/db (src/db/sql/<entity>.ts, the row lock in src/db/row-lock.ts).
// That src/db imports no layer above it is tests/layers.test.ts's rule.
import { describe, expect, it } from 'vitest';
import { sourceFiles, sourceText } from './helpers/source-tree.js';

describe('the data layer', () => {
  it('resolvers, REST handlers and auth get the database from the request, never from the process-global getter', () => {
    const globalDb = ['src/schema', 'src/rest', 'src/auth'].flatMap(sourceFiles).filter((file) => /\bgetDb\b/.test(sourceText(file)));
    expect(globalDb).toEqual([]);
  });

  it('no SQL is written by hand outside src/db', () => {
    const rawSql = /\$queryRaw|\$executeRaw|pgPool\(/;
    const outside = ['src', 'worker'].flatMap(sourceFiles).filter((file) => !file.startsWith('src/db/') && rawSql.test(sourceText(file)));
    expect(outside).toEqual([]);
  });
});

// src/db is the bottom layer: the client, the migrator, the row lock and every hand-written SQL statement. It imports
// only the configuration, the logger and the generated Prisma client, never the code that calls it; and SQL is
// written by hand nowhere else.
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles, sourceText } from './helpers/source-tree.js';

const ALLOWED_BELOW = ['src/db/', 'src/config/', 'src/logger.js', 'src/generated/'];

describe('the data layer', () => {
  it('src/db imports only the configuration, the logger and the generated client', () => {
    const upward = sourceFiles('src/db').flatMap((file) =>
      importsOf(file)
        .filter((target) => !ALLOWED_BELOW.some((allowed) => target.startsWith(allowed)))
        .map((target) => `${file} → ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('resolvers and REST handlers get the database from the request, never from the process-global getter', () => {
    const globalDb = [...sourceFiles('src/schema'), ...sourceFiles('src/rest'), ...sourceFiles('src/auth')].filter((file) =>
      /\bgetDb\b/.test(sourceText(file)),
    );
    expect(globalDb).toEqual([]);
  });

  it('no SQL is written by hand outside src/db', () => {
    const rawSql = /\$queryRaw|\$executeRaw|pgPool\(/;
    const outside = [...sourceFiles('src'), ...sourceFiles('worker')].filter(
      (file) => !file.startsWith('src/db/') && rawSql.test(sourceText(file)),
    );
    expect(outside).toEqual([]);
  });
});

// The event layers import only downward: the domain event model (src/events) knows nothing of the API's streams or
// transports, the streams (src/subscriptions) nothing of the transports, and the worker uses only the domain model.
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles } from './helpers/source-tree.js';

/** Files under `dir` importing anything under one of `forbidden`, as "file → import". */
function violations(dir: string, forbidden: string[]): string[] {
  return sourceFiles(dir).flatMap((file) =>
    importsOf(file)
      .filter((target) => forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
      .map((target) => `${file} → ${target}`),
  );
}

describe('event layers', () => {
  it('src/events imports no layer above it', () => {
    expect(violations('src/events', ['src/subscriptions', 'src/transport', 'src/schema', 'src/rest'])).toEqual([]);
  });

  it('src/subscriptions imports neither the transports nor the schema', () => {
    expect(violations('src/subscriptions', ['src/transport', 'src/schema', 'src/rest'])).toEqual([]);
  });

  it('the schema and REST reach the transport only through the delivery contract', () => {
    expect(violations('src/schema', ['src/transport'])).toEqual([]);
    expect(violations('src/rest', ['src/transport'])).toEqual([]);
  });

  it('the worker imports the domain event model, never the API streams or transports', () => {
    expect(violations('worker', ['src/subscriptions', 'src/transport', 'src/schema', 'src/rest'])).toEqual([]);
  });
});

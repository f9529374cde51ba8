// The layer rule: every source file belongs to one layer of the table below, and imports only from its own layer or
// from the layers its row names. README.md's "Layers" table must say the same (checked here). A new top-level folder
// or file of src/ fails this test until it is given a row (decide where it belongs before it grows imports).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseSync } from 'oxc-parser';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

type LayerName =
  | 'tools' | 'api entry' | 'worker entry' | 'transport' | 'rest' | 'schema' | 'api context' | 'subscriptions' | 'metrics' | 'worker'
  | 'domain' | 'db' | 'foundation' | 'test kit';

interface Layer {
  name: LayerName;
  /** Folders (everything below them) and files, from the repository root. */
  paths: string[];
  /** The layers below it that it may import; 'any' for the tools. A layer may always import itself. */
  mayImport: LayerName[] | 'any';
}

const BELOW_API = ['subscriptions', 'domain', 'db', 'foundation'] satisfies LayerName[];

// Top to bottom.
const LAYERS: Layer[] = [
  { name: 'tools', paths: ['scripts', 'cli', 'bench'], mayImport: 'any' },
  { name: 'api entry', paths: ['src/server.ts', 'src/start-api.ts'], mayImport: ['transport', 'rest', 'schema', 'api context', 'metrics', ...BELOW_API] },
  { name: 'worker entry', paths: ['worker/index.ts', 'worker/start-worker.ts'], mayImport: ['worker', 'metrics', 'domain', 'db', 'foundation'] },
  {
    name: 'transport',
    paths: ['src/transport', 'src/console', 'src/graphiql', 'src/admin'],
    mayImport: ['rest', 'schema', 'api context', 'metrics', ...BELOW_API],
  },
  { name: 'rest', paths: ['src/rest'], mayImport: ['schema', 'api context', ...BELOW_API] },
  { name: 'schema', paths: ['src/schema', 'src/builder.ts'], mayImport: ['api context', ...BELOW_API] },
  { name: 'api context', paths: ['src/request-context.ts', 'src/services.ts'], mayImport: BELOW_API },
  { name: 'subscriptions', paths: ['src/subscriptions'], mayImport: ['domain', 'db', 'foundation'] },
  { name: 'metrics', paths: ['src/metrics'], mayImport: ['domain', 'db', 'foundation'] },
  { name: 'worker', paths: ['worker'], mayImport: ['metrics', 'domain', 'db', 'foundation'] },
  {
    name: 'domain',
    paths: ['src/events', 'src/runs', 'src/queue', 'src/auth', 'src/agent-config', 'src/features', 'src/projects', 'src/workspace', 'src/files'],
    mayImport: ['db', 'foundation'],
  },
  { name: 'db', paths: ['src/db'], mayImport: ['foundation'] },
  { name: 'foundation', paths: ['src/config', 'src/logger.ts', 'src/errors.ts', 'src/redis.ts', 'src/generated'], mayImport: [] },
  { name: 'test kit', paths: ['tests'], mayImport: 'any' },
];

/**
 * Files whose types any layer may name (`import type` only, which compiles to nothing): the request's Context, which
 * the API's handlers at every layer receive.
 */
const SHARED_TYPES = ['src/request-context.ts'];

/** The layer of a repository path: the row with the longest path that contains it. */
function layerOf(path: string): Layer | undefined {
  let best: { layer: Layer; length: number } | undefined;
  for (const layer of LAYERS) {
    for (const p of layer.paths) {
      if ((path === p || path.startsWith(`${p}/`)) && p.length > (best?.length ?? -1)) best = { layer, length: p.length };
    }
  }
  return best?.layer;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts|mjs)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .filter((path) => !path.split('/').includes('generated'));
}

interface Import {
  path: string;
  typeOnly: boolean;
}

/** Repository paths a file imports: static imports, re-exports and literal dynamic imports. */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const { module, errors } = parseSync(file, text);
  if (errors.length) throw new Error(`${file}: ${errors[0]!.message}`);
  const found: Array<{ specifier: string; typeOnly: boolean }> = [
    ...module.staticImports.map((i) => ({ specifier: i.moduleRequest.value, typeOnly: i.entries.length > 0 && i.entries.every((e) => e.isType) })),
    ...module.staticExports.flatMap((e) => e.entries.flatMap((entry) => (entry.moduleRequest ? [{ specifier: entry.moduleRequest.value, typeOnly: entry.isType }] : []))),
    ...module.dynamicImports
      .map((d) => text.slice(d.moduleRequest.start, d.moduleRequest.end))
      .filter((s) => /^['"][^'"]*['"]$/.test(s))
      .map((s) => ({ specifier: s.slice(1, -1), typeOnly: false })),
  ];
  return found
    .filter(({ specifier }) => specifier.startsWith('.'))
    .map(({ specifier, typeOnly }) => ({ path: relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts'), typeOnly }));
}

/** The first table under README.md's "### Layers", row by row, in the terms of LAYERS ("anything" is 'any', "nothing" no layer). */
function readmeLayers(): Layer[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const lines = (readme.split('\n### Layers\n')[1] ?? '').split('\n');
  const table = lines.slice(lines.findIndex((line) => line.startsWith('|')));
  return table
    .slice(2, table.findIndex((line) => !line.startsWith('|')))
    .map((line) => {
      const [name = '', paths = '', mayImport = ''] = line.split('|').slice(1, 4).map((cell) => cell.trim());
      return {
        name: name as LayerName,
        paths: [...paths.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\/$/, '')),
        mayImport: mayImport === 'anything' ? 'any' : mayImport === 'nothing' ? [] : (mayImport.split(', ') as LayerName[]),
      };
    });
}

const sorted = (layer: Layer) => ({ ...layer, mayImport: layer.mayImport === 'any' ? 'any' : [...layer.mayImport].sort() });

describe('layers', () => {
  it("README.md's Layers table is this table", () => {
    expect(readmeLayers().map(sorted)).toEqual(LAYERS.map(sorted));
  });

  it('the table names each layer once and each path once', () => {
    const names = LAYERS.map((l) => l.name);
    const paths = LAYERS.flatMap((l) => l.paths);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(paths).size).toBe(paths.length);
    for (const layer of LAYERS) if (layer.mayImport !== 'any') for (const name of layer.mayImport) expect(names).toContain(name);
  });

  it('every top-level folder and file of src/ has a row, and every row names paths that exist', () => {
    const entries = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).map((e) => `src/${e.name}`);
    const listed = LAYERS.flatMap((l) => l.paths);
    expect(entries.filter((path) => !listed.includes(path))).toEqual([]);
    expect(listed.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('no layer imports one above it (src never imports worker/, cli/ or tests/; the worker never the API layers)', () => {
    const violations: string[] = [];
    for (const file of ['src', 'worker', 'cli', 'scripts', 'bench'].flatMap(sourceFiles)) {
      const from = layerOf(file);
      if (!from) {
        violations.push(`${file} has no layer`);
        continue;
      }
      for (const { path: target, typeOnly } of importsOf(file)) {
        const to = layerOf(target);
        if (!to) violations.push(`${file} → ${target}: ${target} has no layer`);
        else if (typeOnly && SHARED_TYPES.includes(target)) continue;
        else if (to !== from && from.mayImport !== 'any' && !from.mayImport.includes(to.name)) {
          violations.push(`${file} → ${target}: ${from.name} may not import ${to.name}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});

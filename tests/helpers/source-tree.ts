// Reading the repository's own source for the layer tests: which files a folder holds, what each imports.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** The source files under `dir` (a repository path), generated code left out. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** A source file's text, by repository path. */
export const sourceText = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The repository paths a file imports (relative specifiers only), e.g. `src/events/types.js`. */
export function importsOf(file: string): string[] {
  const specifiers = [...sourceText(file).matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(ROOT, resolve(join(ROOT, dirname(file)), s)));
}

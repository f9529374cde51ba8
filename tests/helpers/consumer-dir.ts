// A throwaway project directory inside tests/artifacts/ (gitignored): Node and TypeScript find the repository's
// node_modules from there by walking up, so a consumer's code runs without installing anything from the registry.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { artifactsDir } from './browser.js';

export function consumerDir(name: string, files: Record<string, string>): { dir: string; remove: () => void } {
  const dir = join(artifactsDir, `${name}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const tsconfig = {
    compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, noEmit: true, jsx: 'react-jsx', types: ['node'], lib: ['ES2023', 'DOM'] },
    include: ['*.ts', '*.tsx', 'gql/*.ts'],
  };
  const all = { 'package.json': JSON.stringify({ name, private: true, type: 'module' }), 'tsconfig.json': JSON.stringify(tsconfig), ...files };
  for (const [path, text] of Object.entries(all)) writeFileSync(join(dir, path), text);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

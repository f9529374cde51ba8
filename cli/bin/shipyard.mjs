#!/usr/bin/env node
// The `shipyard` command. Plain JavaScript so that npm can link it anywhere; it loads the TypeScript CLI through tsx
// (a runtime dependency of the package), so it runs the same from the repository and from an installed tarball.
import { register } from 'tsx/esm/api';

register();
await import('../main.ts');

import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql 16 has no "exports" map: Node loads its CommonJS build for dependencies while Vite would pick the .mjs
  // one for our code, and two copies break `instanceof GraphQLError`. Pin everyone to the copy Node loads.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Password hashing at production cost (scrypt N=2^17) takes ~0.5-1 s of CPU per sign-up on a shared 2-core machine;
    // the suite signs up hundreds of users. tests/accounts-hardening.test.ts checks the production default itself.
    env: { NODE_ENV: 'test', SHIPYARD_SCRYPT_COST: '14' },
  },
});

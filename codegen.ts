// Typed documents (client preset): tests/generated/ for our tests, client/src/generated/ for the client library
// (shipyard/client), web/src/generated/ for the console. `npm run codegen` writes all three; none is committed.
import type { CodegenConfig } from '@graphql-codegen/cli';

const shared = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    importExtension: '.js',
    useTypeImports: true,
    enumsAsTypes: true,
    scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
  },
} as const;

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: true,
  generates: {
    'tests/generated/': { ...shared, documents: ['tests/**/*.graphql', 'tests/documents/*.ts', '!tests/generated/**'] },
    'client/src/generated/': { ...shared, documents: ['client/src/**/*.graphql'] },
    'web/src/generated/': { ...shared, documents: ['web/src/**/*.graphql'] },
  },
};

export default config;

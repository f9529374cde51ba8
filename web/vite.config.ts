// The console's build: web/dist, served by the API at / (same origin as /graphql). `npm run build:web`.
import { defineConfig } from 'vite';

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  esbuild: { jsx: 'automatic' },
  server: { proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } } },
});

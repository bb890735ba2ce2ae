import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the workspace packages from source so a change is tested without a rebuild.
// The CLI end-to-end tests run the built binary instead (the root `test` script builds first).
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@sealvec/core/internal': fileURLToPath(new URL('./packages/core/src/internal.ts', import.meta.url)),
      '@sealvec/core': src('core'),
      '@sealvec/qdrant': src('qdrant'),
      '@sealvec/langchain': src('langchain'),
      '@sealvec/llamaindex': src('llamaindex'),
      '@sealvec/testkit': src('testkit'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});

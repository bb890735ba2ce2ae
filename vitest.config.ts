import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the workspace packages from source so a change is tested without a rebuild.
// The CLI end-to-end tests run the built binary instead (the root `test` script builds first).
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const src = (pkg: string) => here(`./packages/${pkg}/src/index.ts`);
const aliases = (impl: 'node' | 'portable') => ({
  '@sealvec/core/internal': here('./packages/core/src/internal.ts'),
  '@sealvec/core': src('core'),
  '@sealvec/qdrant/integration': here('./packages/qdrant/src/integration/framework-store.ts'),
  '@sealvec/qdrant': src('qdrant'),
  '@sealvec/langchain': src('langchain'),
  '@sealvec/llamaindex': src('llamaindex'),
  '@sealvec/testkit': src('testkit'),
  // The core's conditional import (package.json "imports"), from source: see primitives/api.ts.
  '#primitives': here(`./packages/core/src/primitives/${impl}.ts`),
});

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './scripts/summary-reporter.ts'],
    // SEALVEC_MIX=js: the whole suite on the JavaScript vector mix instead of WebAssembly SIMD.
    setupFiles: [here('./scripts/mix-backend.setup.ts')],
    projects: [
      {
        // Everything, on the native primitives (what Node users get).
        extends: true,
        resolve: { alias: aliases('node') },
        test: { name: 'node', include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts'] },
      },
      {
        // The core again on the portable primitives (what browsers and bundlers get): every
        // known-answer vector and property test must pass on both.
        extends: true,
        resolve: { alias: aliases('portable') },
        test: { name: 'portable', include: ['packages/core/src/**/*.test.ts'] },
      },
    ],
  },
});

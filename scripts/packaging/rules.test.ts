import { describe, expect, it } from 'vitest';
import { checkFiles, checkManifest, checkReadmeLinks } from './rules.mjs';

const good = {
  name: '@sealvec/x',
  license: 'Apache-2.0',
  repository: { type: 'git', url: 'git+https://github.com/sealvec/sealvec.git', directory: 'packages/x' },
  homepage: 'https://github.com/sealvec/sealvec/tree/main/packages/x#readme',
  engines: { node: '>=20.19.0' },
  exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
  dependencies: { '@noble/hashes': '^2.4.0', '@qdrant/js-client-rest': '~1.18.0', '@sealvec/core': '^0.1.0' },
  bin: { x: './dist/bin.js' },
};
const files = ['package.json', 'LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/bin.js', 'docs/a.md'];

describe('packaging rules', () => {
  it('accept a well-formed package', () => {
    expect(checkManifest(good)).toEqual([]);
    expect(checkFiles(good, files)).toEqual([]);
    expect(checkReadmeLinks('[a](docs/a.md) [b](https://x.org/y) [c](#top) [d](./docs/a.md#s)', files)).toEqual([]);
  });

  it('reject exact pins, unreplaced workspace ranges and missing metadata', () => {
    const bad = { ...good, license: 'MIT', homepage: undefined, repository: undefined, dependencies: { a: '1.2.3', b: 'workspace:^' }, peerDependencies: { c: '2.0.0-rc.1' } };
    const problems = checkManifest(bad).join('\n');
    expect(problems).toMatch(/license is "MIT"/);
    expect(problems).toMatch(/repository.url missing/);
    expect(problems).toMatch(/homepage missing/);
    expect(problems).toMatch(/dependencies.a is pinned to 1.2.3/);
    expect(problems).toMatch(/dependencies.b is workspace:\^/);
    expect(problems).toMatch(/peerDependencies.c is pinned/);
  });

  it('reject export maps require() cannot resolve, or where types are not first', () => {
    expect(checkManifest({ ...good, exports: { '.': { types: './a.d.ts', import: './a.js' } } })).toEqual([expect.stringMatching(/"default" must come last/)]);
    expect(checkManifest({ ...good, exports: { '.': { default: './a.js', types: './a.d.ts' } } })).toContainEqual(expect.stringMatching(/"types" must come first/));
    expect(checkManifest({ ...good, exports: { '.': './a.js' } })).toEqual([expect.stringMatching(/should be an object/)]);
  });

  it('reject shipped test support, a missing LICENSE or README, and entry points absent from the tarball', () => {
    for (const f of ['dist/a.test.js', 'src/a.test.ts', 'dist/__tests__/x.js', 'src/e2e/helpers.ts', 'src/input/test-support.ts', 'dist/backend/qdrant-standin.js', 'src/local-search.bench.ts']) {
      expect(checkFiles(good, [...files, f])).toEqual([`test support is shipped: ${f}`]);
    }
    expect(checkFiles(good, files.filter((f) => f !== 'LICENSE'))).toEqual(['LICENSE is missing']);
    expect(checkFiles(good, files.filter((f) => f !== 'README.md'))).toEqual(['README.md is missing']);
    expect(checkFiles(good, files.filter((f) => f !== 'dist/bin.js'))).toEqual(['exports/bin point at dist/bin.js, which is not in the tarball']);
  });

  it('reject README links that leave the package or point at files it lacks', () => {
    expect(checkReadmeLinks('[cli](../../docs/cli.md)', files)).toEqual(['README links outside the package: ../../docs/cli.md']);
    expect(checkReadmeLinks('[x](docs/missing.md)', files)).toEqual(['README links to docs/missing.md, which is not in the tarball']);
    expect(checkReadmeLinks('[x](/etc/passwd)', files)).toHaveLength(1);
  });
});

// After tsc: makes the built bin executable (tsc does not keep modes), so `./dist/bin.js` and the
// package's `bin` link run directly, and copies the demo's dataset into the package (data/), so
// `sealvec demo` works from an installed tarball, where the repository's fixtures/ is absent.
// Runs with node so it also works where `chmod` and `cp` do not exist.
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';

chmodSync(new URL('../dist/bin.js', import.meta.url), 0o755);

const from = new URL('../../../fixtures/datasets/glove100/', import.meta.url);
const to = new URL('../data/glove100/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const file of ['base.fvecs', 'query.fvecs', 'groundtruth.ivecs', 'base_words.txt', 'query_words.txt', 'meta.json']) {
  copyFileSync(new URL(file, from), new URL(file, to));
}

/**
 * Brute-force query latency of LocalBackend (not part of the test run):
 *   npx vitest bench --run packages/qdrant/src/backend/__tests__/local-search.bench.ts
 * Shapes from the backend brief: 100k x 100 and 10k x 1536, each metric, plus a 10% filter.
 */
import { bench, describe } from 'vitest';
import { LocalBackend } from '../local.js';
import type { Distance, QueryRequest } from '../types.js';
import { rng, uuid, vector } from './fixtures.js';

async function setup(n: number, d: number, distance: Distance): Promise<{ b: LocalBackend; q: Float32Array }> {
  const r = rng(n ^ d);
  const b = new LocalBackend();
  await b.createCollection({ name: 'bench', dimension: d, distance });
  for (let start = 0; start < n; start += 5000) {
    const batch = Array.from({ length: Math.min(5000, n - start) }, (_, i) => ({ id: uuid(r), vector: vector(r, d), payload: { t: (start + i) % 10 } }));
    await b.upsert('bench', batch);
  }
  return { b, q: vector(r, d) };
}

for (const [n, d] of [
  [100_000, 100],
  [10_000, 1536],
] as const) {
  describe(`${n} x ${d}`, async () => {
    for (const distance of ['Euclid', 'Dot'] as const) {
      const { b, q } = await setup(n, d, distance);
      const plain: QueryRequest = { vector: q, limit: 10 };
      const filtered: QueryRequest = { ...plain, filter: { must: [{ key: 't', match: { value: 3 } }] } };
      bench(`${distance} top-10`, async () => {
        await b.query('bench', plain);
      });
      bench(`${distance} top-10, 10% filter`, async () => {
        await b.query('bench', filtered);
      });
    }
  });
}

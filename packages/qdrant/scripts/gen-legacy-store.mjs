#!/usr/bin/env node
/**
 * Writes fixtures/legacy-local-store/: a store directory in the embedded store's first on-disk
 * format (one snapshot + change log per collection, up to commit 8c4cf08), and expected.json,
 * what LocalBackend must find in it after migrating. That format's writer no longer exists in
 * this tree, so the script runs against a build of the old commit:
 *
 *   git archive 8c4cf08 | tar -x -C /tmp/sealvec-old
 *   (cd /tmp/sealvec-old && pnpm install && pnpm run build)
 *   node packages/qdrant/scripts/gen-legacy-store.mjs /tmp/sealvec-old/packages/qdrant/dist/index.js fixtures/legacy-local-store
 *
 * The store holds: a collection with a tenant field, keyword fields and metadata whose change
 * log has upserts, a replace, deletes (by id and by filter) and payload updates on top of its
 * snapshot; a second collection (non-ASCII name, Dot) folded into a fresh snapshot; and a third
 * whose log ends in a record cut short, as a crash leaves it (the cut record is not expected).
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32 as rng } from './prng.mjs';

const [pkg, outArg] = process.argv.slice(2);
if (pkg === undefined || outArg === undefined) {
  console.error('usage: gen-legacy-store.mjs <old @sealvec/qdrant dist/index.js> <output dir>');
  process.exit(2);
}
const { LocalBackend } = await import(pathToFileURL(resolve(pkg)).href);
const out = resolve(outArg);
const storeDir = join(out, 'store');
await rm(storeDir, { recursive: true, force: true });
await mkdir(storeDir, { recursive: true });

const r = rng(2026);
const uuid = () => {
  const h = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16));
  h[12] = '4';
  h[16] = ((parseInt(h[16], 16) & 3) | 8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
};
const vec = (d) => Float32Array.from({ length: d }, () => r() * 2 - 1);
const pts = (n, d, payload) => Array.from({ length: n }, (_, i) => ({ id: uuid(), vector: vec(d), payload: payload(i) }));

let b = await LocalBackend.open({ path: storeDir });
const docs = { name: 'docs', dimension: 4, distance: 'Euclid', tenantField: 't', keywordFields: ['tok'], metadata: { scheme: 'sealvec', v: 1, nested: { beta: 0.5 } } };
await b.createCollection(docs);
const d = pts(40, 4, (i) => ({ t: i % 2 === 0 ? 'acme' : 'globex', tok: [`k${i % 5}`], i, note: 'é ✓ 😀' }));
await b.upsert('docs', d.slice(0, 30));
await b.upsert('docs', d.slice(30));
await b.upsert('docs', [{ ...d[3], vector: Float32Array.of(1, 2, 3, 4), payload: { replaced: true, t: 'acme' } }]);
await b.delete('docs', { ids: [d[5].id, d[6].id] });
await b.delete('docs', { filter: { must: [{ key: 'i', match: { value: 7 } }] } });
await b.setPayload('docs', [{ id: d[8].id, payload: { i: 'eight', extra: [1, { x: null }] } }]);
await b.close();

// The second collection is folded: a compaction threshold of 0 writes every change into a new snapshot.
b = await LocalBackend.open({ path: storeDir, compactMinBytes: 0 });
const other = { name: 'Ünï code', dimension: 3, distance: 'Dot', metadata: {} };
await b.createCollection(other);
const o = pts(12, 3, (i) => ({ n: i }));
await b.upsert('Ünï code', o);
await b.delete('Ünï code', { ids: [o[0].id] });
await b.close();

b = await LocalBackend.open({ path: storeDir });
const torn = { name: 'torn', dimension: 2, distance: 'Dot', keywordFields: [], metadata: { kept: true } };
await b.createCollection(torn);
const t = pts(6, 2, (i) => ({ i }));
await b.upsert('torn', t.slice(0, 4));
await b.upsert('torn', t.slice(4));
await b.close();

// Cut the last record of torn's log short, as a crash mid-append leaves it.
const files = await readdir(storeDir);
let tornLog;
for (const f of files.filter((x) => x.endsWith('.svlog'))) {
  const bytes = await readFile(join(storeDir, f));
  if (bytes.includes(Buffer.from('"ids":["' + t[4].id))) tornLog = f;
}
const logBytes = await readFile(join(storeDir, tornLog));
await writeFile(join(storeDir, tornLog), logBytes.subarray(0, logBytes.length - 7));

// What the old code itself reads back is the expectation. It is read from a copy: opening cuts
// the torn record off the log, and the fixture must keep it.
const copy = await mkdtemp(join(tmpdir(), 'sealvec-legacy-'));
await cp(storeDir, copy, { recursive: true });
b = await LocalBackend.open({ path: copy });
const expected = [];
for (const spec of [docs, other, torn]) {
  const all = [];
  let offset;
  for (;;) {
    const page = await b.scroll(spec.name, { limit: 100, withVector: true, ...(offset ? { offset } : {}) });
    all.push(...page.points.map((p) => ({ id: p.id, vector: Array.from(p.vector), payload: p.payload })));
    if (page.nextOffset === null) break;
    offset = page.nextOffset;
  }
  const desc = await b.describe(spec.name);
  expected.push({ ...desc, points: all });
}
await b.close();
await rm(copy, { recursive: true, force: true });
if (expected[2].points.length !== 4) throw new Error('the torn record was not dropped');
await writeFile(join(out, 'expected.json'), `${JSON.stringify({ collections: expected }, null, 1)}\n`);
console.log(`wrote ${storeDir} (${(await readdir(storeDir)).length} files) and expected.json`);

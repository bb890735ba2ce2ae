#!/usr/bin/env node
/**
 * Embedded store (LocalBackend with a path): ingest rate, time to open, and a one-record ingest
 * next to a large collection, for any build of @sealvec/qdrant, so the current store and an older
 * one are measured by the same script on the same data.
 *
 *   node packages/qdrant/scripts/bench-local-store.mjs [--pkg PATH] [--n 100000] [--dims 100,1536]
 *       [--batch 1000] [--repeat 3] [--label NAME] [--out FILE.json]
 *
 * --pkg is the built package's entry (default: this tree's packages/qdrant/dist/index.js, after
 * `pnpm run build`). For the store before SQLite, build commit 8c4cf08 elsewhere:
 *   git archive 8c4cf08 | tar -x -C /tmp/sealvec-old && (cd /tmp/sealvec-old && pnpm install && pnpm run build)
 *   node packages/qdrant/scripts/bench-local-store.mjs --pkg /tmp/sealvec-old/packages/qdrant/dist/index.js --label before
 *
 * For each dimension, in a fresh directory:
 * - ingest: n points into collection "big" in batches of --batch, in this process (points/s);
 * - open: a new Node process opens the store (open_ms), runs a first search on "big" (which
 *   loads it where loading is lazy: first_search_ms) and a second one (warm_search_ms);
 * - one-record ingest: a new process opens the store, upserts one point into collection "small"
 *   and closes (what `sealvec ingest` of one record costs next to "big"), measured inside
 *   (one_record_ms) and as the process's wall time (one_record_wall_ms, includes Node start-up).
 * Child measurements are the median of --repeat runs. Processes start cold; the OS page cache is
 * not dropped (the files were just written), so "cold" means a new process, not a cold disk.
 *
 * Data: seeded uniform vectors in [-1, 1) and payloads shaped like sealed records (a tenant, three
 * 22-character tokens, a 320-character base64url string): the store does not look at values.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mulberry32 as rng } from './prng.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    pkg: { type: 'string', default: join(here, '..', 'dist', 'index.js') },
    n: { type: 'string', default: '100000' },
    dims: { type: 'string', default: '100,1536' },
    batch: { type: 'string', default: '1000' },
    repeat: { type: 'string', default: '3' },
    label: { type: 'string', default: 'current' },
    out: { type: 'string' },
  },
});
const pkg = resolve(opt.pkg);
const n = Number(opt.n);
const dims = opt.dims.split(',').map(Number);
const batchSize = Number(opt.batch);
const repeat = Number(opt.repeat);
for (const [k, v] of Object.entries({ n, batch: batchSize, repeat, ...Object.fromEntries(dims.map((d, i) => [`dims[${i}]`, d])) })) {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`--${k.replace(/\[.*/, '')} expected a positive integer, got ${v}`);
}
const { LocalBackend } = await import(pathToFileURL(pkg).href);

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const text = (r, len) => Array.from({ length: len }, () => B64[Math.floor(r() * 64)]).join('');
const idOf = (i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

function batch(start, count, d) {
  const r = rng(start + 1);
  return Array.from({ length: count }, (_, k) => ({
    id: idOf(start + k),
    vector: Float32Array.from({ length: d }, () => r() * 2 - 1),
    payload: { t: 'tenant-a', tok: [text(r, 22), text(r, 22), text(r, 22)], h: text(r, 320), ep: 1 },
  }));
}

async function dirBytes(dir) {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath ?? e.path, e.name))).size;
  }
  return total;
}

/** Runs `body` in a fresh Node process with LocalBackend in scope; returns its JSON and wall time. */
function child(body, dir) {
  const script = `const { LocalBackend } = await import(${JSON.stringify(pathToFileURL(pkg).href)});
const dir = ${JSON.stringify(dir)};
const t = () => performance.now();
${body}`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return { ...JSON.parse(r.stdout.trim().split('\n').at(-1)), wall_ms: wall };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, k = 1) => Math.round(x * 10 ** k) / 10 ** k;

const results = [];
for (const d of dims) {
  const dir = await mkdtemp(join(tmpdir(), `sealvec-bench-store-${d}-`));
  try {
    // ---- ingest, in this process
    const b = await LocalBackend.open({ path: dir });
    await b.createCollection({ name: 'big', dimension: d, distance: 'Euclid', keywordFields: ['tok'] });
    let busyMs = 0;
    for (let i = 0; i < n; i += batchSize) {
      const pts = batch(i, Math.min(batchSize, n - i), d);
      const t0 = performance.now();
      const res = await b.upsert('big', pts, { batchSize });
      busyMs += performance.now() - t0;
      if (res.failed.length > 0) throw res.failed[0].error;
    }
    await b.close();
    const bytes = await dirBytes(dir);
    const lastStart = Math.floor((n - 1) / batchSize) * batchSize;
    const query = JSON.stringify(Array.from(batch(lastStart, n - lastStart, d).at(-1).vector));

    // ---- open and first search, in fresh processes
    const opens = [];
    for (let k = 0; k < repeat; k++) {
      opens.push(
        child(
          `const q = Float32Array.from(${query});
let t0 = t(); const b = await LocalBackend.open({ path: dir }); const open_ms = t() - t0;
t0 = t(); const first = await b.query('big', { vector: q, limit: 10 }); const first_search_ms = t() - t0;
t0 = t(); await b.query('big', { vector: q, limit: 10 }); const warm_search_ms = t() - t0;
if (first[0].id !== ${JSON.stringify(idOf(n - 1))}) throw new Error('wrong nearest neighbour');
await b.close();
console.log(JSON.stringify({ open_ms, first_search_ms, warm_search_ms }));`,
          dir,
        ),
      );
    }

    // ---- one-record ingest next to "big", in fresh processes
    const ones = [];
    for (let k = 0; k < repeat; k++) {
      ones.push(
        child(
          `let t0 = t(); const b = await LocalBackend.open({ path: dir });
if ((await b.describe('small')) === null) await b.createCollection({ name: 'small', dimension: ${d}, distance: 'Euclid' });
const res = await b.upsert('small', [{ id: ${JSON.stringify(idOf(k))}, vector: new Float32Array(${d}).fill(0.5), payload: { k: ${k} } }]);
if (res.stored.length !== 1) throw new Error('not stored');
await b.close();
console.log(JSON.stringify({ one_record_ms: t() - t0 }));`,
          dir,
        ),
      );
    }

    const row = {
      label: opt.label,
      n,
      dimension: d,
      batch: batchSize,
      ingest_s: round(busyMs / 1000, 2),
      ingest_points_per_s: Math.round(n / (busyMs / 1000)),
      store_mib: round(bytes / 2 ** 20),
      open_ms: round(median(opens.map((o) => o.open_ms))),
      first_search_ms: round(median(opens.map((o) => o.first_search_ms))),
      warm_search_ms: round(median(opens.map((o) => o.warm_search_ms))),
      one_record_ms: round(median(ones.map((o) => o.one_record_ms))),
      one_record_wall_ms: round(median(ones.map((o) => o.wall_ms))),
    };
    results.push(row);
    console.log(JSON.stringify(row));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const cols = Object.keys(results[0]);
console.log(`\n| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
for (const r of results) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
if (opt.out !== undefined) {
  await writeFile(opt.out, `${JSON.stringify({ node: process.version, pkg, date: new Date().toISOString(), results }, null, 2)}\n`);
}

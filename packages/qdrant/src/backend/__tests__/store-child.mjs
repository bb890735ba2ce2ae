/**
 * A writer process for the embedded store's multi-process and crash tests (local-crash.test.ts,
 * local-processes.test.ts). Plain JavaScript on the built package, because it runs as its own
 * Node process.
 *
 *   node store-child.mjs <dist/backend/local.js> <store dir> <collection> <first batch> <batches|-1> <mixed|upsert>
 *
 * For each batch number b it upserts 100 points (dimension 48, content derived from b); in
 * `mixed` mode, every 5th batch then updates its payloads and every 7th deletes
 * batch b-3. Before each operation it prints `begin <JSON of the operation>`; after the call
 * returns (the write is acknowledged) it prints `ok <n>`. Lines are written synchronously, so a
 * parent that kills this process knows every acknowledged operation and the one in flight.
 */
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { mulberry32 as rng } from '../../../scripts/prng.mjs';

const [dist, dir, name, first, count, mode] = process.argv.slice(2);
const { LocalBackend } = await import(pathToFileURL(dist).href);
const BATCH = 100;
const DIM = 48;


const idOf = (b, i) => `00000000-0000-4000-8000-${(b * 1000 + i).toString(16).padStart(12, '0')}`;

function batch(b) {
  const r = rng(b + 1);
  return Array.from({ length: BATCH }, (_, i) => ({
    id: idOf(b, i),
    vector: Array.from({ length: DIM }, () => Math.fround(r() * 2 - 1)),
    payload: { b, i, text: 'é'.repeat(Math.floor(r() * 200)) },
  }));
}

const say = (line) => writeSync(1, `${line}\n`);
const backend = await LocalBackend.open({ path: dir });
let n = 0;
async function op(o, run) {
  say(`begin ${JSON.stringify(o)}`);
  await run();
  say(`ok ${n++}`);
}

const end = Number(count) < 0 ? Infinity : Number(first) + Number(count);
for (let b = Number(first); b < end; b++) {
  const points = batch(b);
  await op({ op: 'upsert', points }, async () => {
    const res = await backend.upsert(name, points.map((p) => ({ ...p, vector: Float32Array.from(p.vector) })), { batchSize: BATCH });
    if (res.failed.length > 0) throw res.failed[0].error;
  });
  if (mode !== 'mixed') continue;
  if (b % 5 === 4) {
    const updates = points.map((p) => ({ id: p.id, payload: { touched: b } }));
    await op({ op: 'set', updates }, () => backend.setPayload(name, updates));
  }
  if (b % 7 === 6) {
    const ids = batch(b - 3).map((p) => p.id);
    await op({ op: 'delete', ids }, () => backend.delete(name, { ids }));
  }
}
await backend.close();

#!/usr/bin/env node
/**
 * Writes fixtures/v1/: data sealed by the last format v1 code (commit 8c4cf08), and what that
 * code answered when reading it back, so the tests can check that today's code reads v1 data as
 * the old code did and migrates it to v2 (issue #9). The v1 writer no longer exists in this tree,
 * so the script runs against a build of the old commit:
 *
 *   git archive 8c4cf08 | tar -x -C /tmp/sealvec-v1      (or: git worktree add /tmp/sealvec-v1 8c4cf08)
 *   (cd /tmp/sealvec-v1 && pnpm install && pnpm run build)
 *   node packages/qdrant/scripts/gen-v1-fixture.mjs /tmp/sealvec-v1 fixtures/v1
 *
 * What it makes (fixtures/v1/README.md says more):
 * - v1.json: the key files as the old code exported them (authority at epoch 2, the vector keyset
 *   of two keys, writer keys and user keys of alice and bob for epochs 1 and 2), two collections
 *   (cosine: exact vectors, pre-filter tokens, a blind index; euclid: neither) holding records of
 *   both epochs under both vector keys, each as its collection spec, metadata and stored points,
 *   the plaintext behind every record (dataset row, policy, payload), and the old code's answers:
 *   which records each user key opens (export and get), its top-5 for three queries, and a
 *   blind-index search.
 * - sealed-v1.jsonl: a sealed file written by the old `sealvec encrypt` (euclid, epoch 1), and in
 *   v1.json what the old `sealvec decrypt` gave each epoch-1 user key.
 *
 * Secrets are pinned (master bytes 0x70 + i, vector key bytes 0x11 + i and 0x93 + i) and nothing
 * here protects anything real. Every other random byte (data keys, nonces) comes from the old
 * code's own random source, so a re-run makes different ciphertexts with the same meaning.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [rootArg, outArg] = process.argv.slice(2);
if (rootArg === undefined || outArg === undefined) {
  console.error('usage: gen-v1-fixture.mjs <root of a built checkout of 8c4cf08> <output dir>');
  process.exit(2);
}
const root = resolve(rootArg);
const out = resolve(outArg);
const repo = resolve(new URL('../../..', import.meta.url).pathname);
const core = await import(pathToFileURL(join(root, 'packages/core/dist/index.js')).href);
const { LocalBackend, SealedCollection } = await import(pathToFileURL(join(root, 'packages/qdrant/dist/index.js')).href);
const CLI = join(root, 'packages/cli/dist/bin.js');
// The build must be the last v1 one: the format version says v1, and the writer key format has no
// certificate yet (both changed together in v2).
const COMMIT = '8c4cf08';
if (core.FORMAT_VERSION !== 1 || core.KEY_FORMAT_VERSION !== 1 || 'SIGNED_KEY_FORMAT_VERSION' in core) {
  console.error(`${root} is not a build of the format v1 code (commit ${COMMIT})`);
  process.exit(2);
}

// ---- Data ----------------------------------------------------------------------------------------

function readFvecs(rel, rows) {
  const buf = readFileSync(join(repo, rel));
  const d = buf.readInt32LE(0);
  return rows.map((r) => Float32Array.from({ length: d }, (_, i) => buf.readFloatLE(r * (4 + 4 * d) + 4 + 4 * i)));
}
const b64 = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
const f32b64 = (v) => b64(Float32Array.from(v));
const sha = (v) => createHash('sha256').update(Buffer.from(Float32Array.from(v).buffer)).digest('hex');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const USERS = {
  alice: { role: ['hr_manager'], group: ['team_hr'], department: ['human_resources'] },
  bob: { role: ['engineer'], group: ['team_search'], department: ['engineering'] },
};
// alice only, bob only, both, any key holder, and one neither of them holds (still migrated).
const POLICIES = [
  { role: ['hr_manager'], department: ['human_resources'] },
  { role: ['engineer'], department: ['engineering'] },
  { department: ['human_resources', 'engineering'] },
  {},
  { role: ['auditor'] },
];
const POLICY_TEXT = ['role=hr_manager;department=human_resources', 'role=engineer;department=engineering', 'department=human_resources,engineering', '*', 'role=auditor'];
const policyIndex = (i) => (i % 7 === 6 ? 4 : i % 4);

// ---- Keys ----------------------------------------------------------------------------------------

const pinned = (base) => Uint8Array.from({ length: 32 }, (_, i) => (base + i) & 0xff);
const a1 = core.authorityFromMaster(pinned(0x70));
const a2 = core.rotateEpoch(a1);
const k1 = core.vectorKeyFromSecret(pinned(0x11));
const k2 = core.vectorKeyFromSecret(pinned(0x93));
const keysetK1 = core.VectorKeyset.create(k1, '2026-01-05T09:00:00.000Z');
const keysetK2 = keysetK1.add(k2, '2026-02-02T09:00:00.000Z').promote(k2.kid);
const writers = { 1: core.createWriterKey(a1), 2: core.createWriterKey(a2) };
const userKeys = {};
for (const [name, attrs] of Object.entries(USERS)) {
  for (const epoch of [1, 2]) userKeys[`${name}@${epoch}`] = core.issueUserKey(a2, attrs, { epoch, blindIndexFields: ['lang'] });
}

// ---- Collections ---------------------------------------------------------------------------------

/** Records the collection spec the old code asks the backend for. */
class SpecRecorder {
  specs = new Map();
  constructor(inner) {
    this.inner = inner;
    return new Proxy(this, {
      get: (t, p) => {
        if (p === 'createCollection') return async (spec) => (t.specs.set(spec.name, structuredClone(spec)), inner.createCollection(spec));
        if (p === 'specs') return t.specs;
        const v = inner[p];
        return typeof v === 'function' ? v.bind(inner) : v;
      },
    });
  }
}

const backend = new SpecRecorder(new LocalBackend());

async function scrollAll(name, filter) {
  const all = [];
  let offset;
  for (;;) {
    const page = await backend.scroll(name, { limit: 100, withVector: true, ...(filter ? { filter } : {}), ...(offset ? { offset } : {}) });
    all.push(...page.points);
    if (page.nextOffset === null) return all;
    offset = page.nextOffset;
  }
}

/**
 * A v1 collection written in three phases, as a deployment over time would: epoch 1 under key 1,
 * epoch 2 under key 1 (after an epoch rotation, not rewrapped), epoch 2 under key 2 (after a
 * vector key rotation, not re-encrypted).
 */
async function makeCollection({ name, metric, dataset, rows, queries, phases, options, payload }) {
  const vectors = readFvecs(`fixtures/datasets/${dataset}/base.fvecs`, rows);
  const scale = metric === 'euclid' ? median(vectors.map((v) => Math.hypot(...v))) : undefined;
  const col = await SealedCollection.create(backend, {
    name,
    keyset: keysetK1,
    dimension: vectors[0].length,
    metric,
    preset: 'balanced',
    ...(scale !== undefined ? { scale } : {}),
    authority: a1.id,
    ...options,
  });
  const records = [];
  let i = 0;
  for (const phase of phases) {
    col.useKeyset(phase.keyset);
    const batch = [];
    for (let n = 0; n < phase.count; n++, i++) {
      const p = policyIndex(i);
      batch.push({ id: `${name[0]}${i}`, vector: vectors[i], payload: payload(i), policy: POLICIES[p] });
      records.push({ id: `${name[0]}${i}`, epoch: phase.epoch, kid: phase.keyset.primary.kid, row: rows[i], policy: POLICIES[p], payload: payload(i) });
    }
    const rep = await col.upsert(batch, { writer: writers[phase.epoch] });
    if (rep.failed.length) throw new Error(`upsert failed: ${rep.failed[0].error.message}`);
  }
  col.useKeyset(keysetK2);
  const desc = await backend.describe(name);
  const points = await scrollAll(name);

  // What every record holds, as the old code opens it with the writer key of its epoch.
  const ciphers = new Map(
    keysetK2.keys.map((k) => [
      k.kid,
      core.createOpener({ cipher: core.createVectorCipher(k, { dimension: desc.metadata.dimension, metric, beta: desc.metadata.beta }), collection: name }),
    ]),
  );
  for (const p of points) {
    const rec = core.decodeStoredPoint(p.payload, p.vector, { storedDimension: desc.dimension });
    const opened = ciphers.get(rec.kid).openWithWriter(rec, writers[rec.epoch]);
    const r = records.find((x) => x.id === rec.id);
    r.vectorSha256 = sha(opened.vector);
    if (JSON.stringify(opened.payload) !== JSON.stringify(r.payload)) throw new Error(`payload of ${rec.id} did not round-trip`);
  }

  // The old code's answers, per user key.
  const queryVectors = readFvecs(`fixtures/datasets/${dataset}/query.fvecs`, queries);
  const answers = { opens: {}, search: [], where: null };
  for (const [keyName, key] of Object.entries(userKeys)) {
    const exported = [];
    for await (const r of col.export(key)) exported.push(r);
    const ids = exported.map((r) => r.id).sort();
    const got = await col.get(records.map((r) => r.id), key);
    const gotIds = got.filter(Boolean).map((r) => r.id).sort();
    if (JSON.stringify(ids) !== JSON.stringify(gotIds)) throw new Error(`export and get disagree for ${keyName}`);
    for (const r of exported) {
      const rec = records.find((x) => x.id === r.id);
      if (sha(r.vector) !== rec.vectorSha256 || JSON.stringify(r.payload) !== JSON.stringify(rec.payload)) throw new Error(`${keyName} opened ${r.id} differently`);
    }
    answers.opens[keyName] = ids;
  }
  for (const [qi, q] of queryVectors.entries()) {
    const entry = { query: queries[qi], k: 5, hits: {} };
    for (const [keyName, key] of Object.entries(userKeys)) {
      const res = await col.search(q, { userKey: key, k: 5 });
      entry.hits[keyName] = res.hits.map((h) => ({ id: h.id, score: h.score }));
    }
    answers.search.push(entry);
  }
  if (options.blindIndexFields?.includes('lang')) {
    const res = await col.search(queryVectors[0], { userKey: userKeys['alice@2'], k: 5, where: { lang: 'en' } });
    answers.where = { query: queries[0], key: 'alice@2', where: { lang: 'en' }, k: 5, hits: res.hits.map((h) => ({ id: h.id, score: h.score })) };
  }

  return {
    name,
    metric,
    dataset,
    scaleUsedForBeta: scale ?? null,
    spec: backend.specs.get(name),
    description: desc,
    points: points.map((p) => ({ id: p.id, vector: f32b64(p.vector), payload: p.payload })),
    records,
    answers,
  };
}

const phases = (a, b, c) => [
  { epoch: 1, keyset: keysetK1, count: a },
  { epoch: 2, keyset: keysetK1, count: b },
  { epoch: 2, keyset: keysetK2, count: c },
];
const words = readFileSync(join(repo, 'fixtures/datasets/glove100/base_words.txt'), 'utf8').split('\n');
const cosine = await makeCollection({
  name: 'cosine',
  metric: 'cosine',
  dataset: 'glove100',
  rows: Array.from({ length: 20 }, (_, i) => i * 3),
  queries: [0, 1, 2],
  phases: phases(8, 5, 7),
  options: { prefilter: true, exactVector: true, blindIndexFields: ['lang'] },
  payload: (i) => ({ i, word: words[i * 3], lang: i % 2 ? 'en' : 'fr', ...(i % 5 === 0 ? { note: 'é ✓ 😀' } : {}) }),
});
const euclid = await makeCollection({
  name: 'euclid',
  metric: 'euclid',
  dataset: 'sift128',
  rows: Array.from({ length: 14 }, (_, i) => i),
  queries: [0, 1, 2],
  phases: phases(6, 3, 5),
  options: { prefilter: false, exactVector: false },
  payload: (i) => ({ i, kind: 'sift' }),
});
await backend.close();

// ---- A sealed file from the old CLI --------------------------------------------------------------

const tmp = mkdtempSync(join(tmpdir(), 'sealvec-v1-fixture-'));
const keyDir = join(tmp, 'keys');
mkdirSync(keyDir, { mode: 0o700 });
const put = (path, text) => {
  writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
};
// The key directory as it was at epoch 1, before the second vector key.
put(join(keyDir, 'authority.json'), core.exportAuthority(a1));
put(join(keyDir, 'vectors.json'), keysetK1.export());
put(join(keyDir, 'writer.json'), core.exportWriterKey(writers[1]));
const fileRows = Array.from({ length: 8 }, (_, i) => 100 + i);
const fileVectors = readFvecs('fixtures/datasets/sift128/base.fvecs', fileRows);
const fileRecords = fileVectors.map((v, i) => ({ id: `f${i}`, row: fileRows[i], policy: POLICY_TEXT[policyIndex(i)], payload: { i, file: true } }));
writeFileSync(join(tmp, 'plain.jsonl'), fileRecords.map((r, i) => JSON.stringify({ id: r.id, vector: Array.from(fileVectors[i]), policy: r.policy, payload: r.payload })).join('\n') + '\n');
const run = (args) => execFileSync(process.execPath, [CLI, ...args, '--keys', keyDir, '--quiet'], { cwd: tmp, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
run(['encrypt', '-i', join(tmp, 'plain.jsonl'), '-o', join(tmp, 'sealed-v1.jsonl'), '--collection', 'v1file', '--metric', 'euclid']);
const fileDecrypt = {};
for (const name of Object.keys(USERS)) {
  const keyPath = join(tmp, `${name}.key`);
  put(keyPath, core.exportUserKey(userKeys[`${name}@1`]));
  const lines = run(['decrypt', '-i', join(tmp, 'sealed-v1.jsonl'), '--key', keyPath]).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  fileDecrypt[`${name}@1`] = lines.map((l) => ({ id: l.id, payload: l.payload, vectorSha256: sha(l.vector) })).sort((x, y) => (x.id < y.id ? -1 : 1));
}
const sealedFile = readFileSync(join(tmp, 'sealed-v1.jsonl'), 'utf8');
const fileHeader = JSON.parse(sealedFile.slice(0, sealedFile.indexOf('\n')));
rmSync(tmp, { recursive: true, force: true });

// ---- Output --------------------------------------------------------------------------------------

/** JSON with one line per point, record or answer list (4 levels deep), so the file stays small and diffable. */
function layout(v, depth = 0) {
  if (depth >= 4 || v === null || typeof v !== 'object') return JSON.stringify(v);
  const pad = ' '.repeat(depth + 1);
  const items = Array.isArray(v) ? v.map((x) => layout(x, depth + 1)) : Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${layout(x, depth + 1)}`);
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  return items.length === 0 ? `${open}${close}` : `${open}\n${items.map((x) => pad + x).join(',\n')}\n${' '.repeat(depth)}${close}`;
}

const fixture = {
  about: 'Format v1 data written by sealvec at the commit below; see fixtures/v1/README.md. Pinned test secrets only.',
  commit: COMMIT,
  generator: 'packages/qdrant/scripts/gen-v1-fixture.mjs',
  users: USERS,
  keys: {
    authority: core.exportAuthority(a2),
    vectors: keysetK2.export(),
    writers: { 1: core.exportWriterKey(writers[1]), 2: core.exportWriterKey(writers[2]) },
    users: Object.fromEntries(Object.entries(userKeys).map(([k, v]) => [k, core.exportUserKey(v)])),
    kids: { k1: k1.kid, k2: k2.kid },
  },
  collections: { cosine, euclid },
  file: {
    path: 'sealed-v1.jsonl',
    collection: fileHeader.collection,
    metric: 'euclid',
    dataset: 'sift128',
    epoch: 1,
    kid: k1.kid,
    scaleUsedForBeta: median(fileVectors.map((v) => Math.hypot(...v))),
    records: fileRecords.map(({ id, row, policy, payload }) => ({ id, row, policy, payload })),
    decrypt: fileDecrypt,
  },
};
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'v1.json'), `${layout(fixture)}\n`);
writeFileSync(join(out, 'sealed-v1.jsonl'), sealedFile);
console.log(`wrote ${join(out, 'v1.json')} and ${join(out, 'sealed-v1.jsonl')} (commit ${COMMIT.slice(0, 12)})`);

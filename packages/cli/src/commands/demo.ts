/**
 * `sealvec demo`: the README's main job, end to end, in memory, on a real dataset (the bundled
 * GloVe 2000 x 100 subset by default). No network, no server, no files written.
 *
 *   1. an authority and keys for three users: alice (hr_manager, human_resources), bob
 *      (engineer, engineering) and an admin;
 *   2. the dataset sealed under three policies and stored in the embedded store;
 *   3. searches as each user; recall@k of encrypted search against exact plaintext search over
 *      what that user may read (and over everything, for the admin);
 *   4. a denied access: bob asks for an HR record by id and gets the generic failure;
 *   5. what the store sees of one record.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import {
  createAttributes,
  createOpener,
  createWriterKey,
  DecryptionFailed,
  decodeStoredPoint,
  evaluate,
  generateAuthority,
  issueUserKey,
  parsePolicy,
  VectorKeyset,
  type Policy,
  type UserKey,
} from '@sealvec/core';
import { LocalBackend, SealedCollection, pointIdOf } from '@sealvec/qdrant';
import { InputFileError } from '../errors.js';
import { readFvecs } from '../input/fvecs.js';
import { openSource } from '../input/source.js';
import type { Io } from '../io.js';
import { useColor } from '../io.js';
import { createReporter, table } from '../report.js';
import { cipherFor } from '../scheme.js';

export interface DemoOptions {
  dataset?: string | undefined;
  k?: number | undefined;
  queries?: number | undefined;
  json?: boolean | undefined;
  quiet?: boolean | undefined;
}

/**
 * The bundled dataset, found from this file's location (dist/commands/ or src/commands/): the
 * package's own copy (data/glove100/, made by scripts/postbuild.mjs and shipped in the tarball),
 * else the repository's fixtures (a source checkout before its first build).
 */
export function bundledDataset(): string {
  const shipped = fileURLToPath(new URL('../../data/glove100/', import.meta.url));
  return existsSync(shipped) ? shipped : fileURLToPath(new URL('../../../../fixtures/datasets/glove100/', import.meta.url));
}

async function readVectors(path: string, io: Io): Promise<Float32Array[]> {
  const src = await openSource(path, io.stdin, io.cwd);
  const out: Float32Array[] = [];
  try {
    for await (const r of readFvecs(src)) out.push(r.vector);
  } finally {
    await src.close();
  }
  return out;
}

async function readIvecs(path: string): Promise<Int32Array[]> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new InputFileError(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const rows: Int32Array[] = [];
  for (let off = 0; off + 4 <= buf.length; ) {
    const d = buf.readInt32LE(off);
    const row = new Int32Array(d);
    for (let i = 0; i < d; i++) row[i] = buf.readInt32LE(off + 4 + 4 * i);
    rows.push(row);
    off += 4 + 4 * d;
  }
  return rows;
}

async function readWords(path: string): Promise<string[] | undefined> {
  try {
    return (await readFile(path, 'utf8')).split('\n');
  } catch {
    return undefined;
  }
}

function unit(v: Float32Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = 1 / Math.sqrt(s);
  return Float64Array.from(v, (x) => x * inv);
}

/** Exact top-k by cosine over the rows `allowed` admits (brute force: the plaintext baseline). */
function exactTopK(q: Float32Array, base: readonly Float64Array[], allowed: (i: number) => boolean, k: number): number[] {
  const qu = unit(q);
  const scored: [number, number][] = [];
  base.forEach((b, i) => {
    if (!allowed(i)) return;
    let d = 0;
    for (let j = 0; j < b.length; j++) d += b[j]! * qu[j]!;
    scored.push([d, i]);
  });
  scored.sort((a, b) => b[0] - a[0]);
  return scored.slice(0, k).map(([, i]) => i);
}

interface Team {
  name: string;
  policy: string;
}

/** Who may read what: a quarter HR-only, a quarter engineering-only, half shared. */
const TEAMS: readonly Team[] = [
  { name: 'hr', policy: 'role=hr_manager,admin;department=human_resources' },
  { name: 'engineering', policy: 'role=engineer,admin;department=engineering' },
  { name: 'all', policy: 'role=hr_manager,engineer,admin' },
  { name: 'all', policy: 'role=hr_manager,engineer,admin' },
];

interface UserSpec {
  name: string;
  attrs: Record<string, string[]>;
}

const USERS: readonly UserSpec[] = [
  { name: 'alice', attrs: { role: ['hr_manager'], department: ['human_resources'] } },
  { name: 'bob', attrs: { role: ['engineer'], department: ['engineering'] } },
  { name: 'admin', attrs: { role: ['admin'], department: ['engineering', 'human_resources'] } },
];

export async function demo(opts: DemoOptions, io: Io): Promise<unknown> {
  const t0 = performance.now();
  const k = opts.k ?? 10;
  const dir = opts.dataset !== undefined ? resolve(io.cwd, opts.dataset) : bundledDataset();
  const base = await readVectors(join(dir, 'base.fvecs'), io);
  const queriesAll = await readVectors(join(dir, 'query.fvecs'), io);
  const queries = queriesAll.slice(0, opts.queries ?? queriesAll.length);
  const words = await readWords(join(dir, 'base_words.txt'));
  const qwords = await readWords(join(dir, 'query_words.txt'));
  const d = base[0]!.length;
  const label = (i: number) => (words?.[i] ? words[i]! : `#${i}`);
  const color = useColor(io) && !opts.json;
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const say = (s = '') => lines.push(s);

  // 1. Keys.
  const authority = generateAuthority();
  const writer = createWriterKey(authority);
  const keyset = VectorKeyset.create();
  const users = new Map<string, UserKey>(USERS.map((u) => [u.name, issueUserKey(authority, u.attrs)]));
  const attrsOf = new Map(USERS.map((u) => [u.name, createAttributes(authority.schema, u.attrs)]));
  const policies: Policy[] = TEAMS.map((t) => parsePolicy(authority.schema, t.policy));
  const teamOf = (i: number) => i % TEAMS.length;
  const mayRead = (user: string, i: number) => evaluate(attrsOf.get(user)!, policies[teamOf(i)]!);

  say(bold(`Sealvec demo: ${base.length} x ${d} real embeddings (${dir.includes('glove100') ? 'GloVe 6B 100-d word vectors' : dir}), ${queries.length} queries`));
  say();
  say(bold('1. Keys'));
  say(`  authority ${authority.id} (epoch ${authority.epoch}); vector key ${keyset.primary.kid}`);
  for (const u of USERS) {
    const readable = base.filter((_, i) => mayRead(u.name, i)).length;
    say(`  ${u.name.padEnd(6)} ${Object.entries(u.attrs).map(([a, v]) => `${a}=${v.join(',')}`).join('; ').padEnd(56)} may read ${readable} of ${base.length} records`);
  }

  // 2. Encrypted ingest into the embedded store (in memory).
  const backend = new LocalBackend();
  const name = 'glove-demo';
  const tIngest = performance.now();
  const col = await SealedCollection.create(backend, { name, keyset, dimension: d, metric: 'cosine', preset: 'balanced', writer });
  const records = base.map((vector, i) => ({
    id: String(i),
    vector,
    payload: { word: label(i), team: TEAMS[teamOf(i)]!.name },
    policy: policies[teamOf(i)]!,
  }));
  const up = await col.upsert(records, { writer });
  const ingestSeconds = (performance.now() - tIngest) / 1000;
  say();
  say(bold('2. Encrypted ingest'));
  say(`  sealed and stored ${up.stored.length} records in ${ingestSeconds.toFixed(2)} s (${Math.round(up.stored.length / ingestSeconds)} records/s), ${up.failed.length} failed`);
  for (const [i, t] of TEAMS.entries()) if (TEAMS.findIndex((x) => x.name === t.name) === i) say(`  policy ${t.policy.padEnd(44)} -> payload team "${t.name}"`);

  // 3. Searches as each user; recall against plaintext exact search.
  const unitBase = base.map(unit);
  const gtFile = await readIvecs(join(dir, 'groundtruth.ivecs')).catch(() => undefined);
  const perUser: Record<string, unknown> = {};
  // The sample query shown per user: the first whose plaintext top-10 mixes HR and engineering records.
  const mixed = queries.findIndex((q) => {
    const teams = new Set(exactTopK(q, unitBase, () => true, 10).map((i) => TEAMS[teamOf(i)]!.name));
    return teams.has('hr') && teams.has('engineering');
  });
  const sampleQuery = Math.max(0, mixed);
  const tSearch = performance.now();
  say();
  say(bold(`3. Searches (k = ${k}); recall@${k} against exact plaintext search over what each user may read`));
  for (const u of USERS) {
    const key = users.get(u.name)!;
    let hitSum = 0;
    let hitSumNoRerank = 0;
    let violations = 0;
    let gtHits = 0;
    for (const [qi, q] of queries.entries()) {
      const truth = new Set(exactTopK(q, unitBase, (i) => mayRead(u.name, i), k).map(String));
      const res = await col.search(q, { userKey: key, k });
      const approx = u.name === 'admin' ? await col.search(q, { userKey: key, k, rerank: false }) : undefined;
      for (const h of res.hits) {
        if (truth.has(h.id)) hitSum++;
        if (!mayRead(u.name, Number(h.id))) violations++;
      }
      for (const h of approx?.hits ?? []) if (truth.has(h.id)) hitSumNoRerank++;
      if (u.name === 'admin' && gtFile?.[qi]) {
        const gt = new Set(Array.from(gtFile[qi]!.subarray(0, k), String));
        for (const h of res.hits) if (gt.has(h.id)) gtHits++;
      }
    }
    const recall = hitSum / (queries.length * k);
    const recallNoRerank = u.name === 'admin' ? hitSumNoRerank / (queries.length * k) : undefined;
    const sample = await col.search(queries[sampleQuery]!, { userKey: key, k: 5 });
    perUser[u.name] = {
      attributes: u.attrs,
      recall,
      ...(recallNoRerank !== undefined ? { recallWithoutRerank: recallNoRerank } : {}),
      ...(u.name === 'admin' && gtFile ? { recallVsGroundTruthFile: gtHits / (queries.length * k) } : {}),
      policyViolations: violations,
      sample: { query: qwords?.[sampleQuery] ?? String(sampleQuery), hits: sample.hits.map((h) => ({ id: h.id, score: h.score, payload: h.payload })) },
    };
    say(
      `  ${u.name.padEnd(6)} recall@${k} ${recall.toFixed(3)}` +
        (recallNoRerank !== undefined ? ` (re-ranked; ${recallNoRerank.toFixed(3)} from encrypted distances alone)` : '') +
        `; results it may not read: ${violations}`,
    );
    say(
      `         "${qwords?.[sampleQuery] ?? `query ${sampleQuery}`}" -> ${sample.hits.map((h) => `${(h.payload as { word: string }).word} [${(h.payload as { team: string }).team}]`).join(', ')}`,
    );
  }
  const adminGt = (perUser.admin as { recallVsGroundTruthFile?: number }).recallVsGroundTruthFile;
  if (adminGt !== undefined) say(`  admin recall@${k} against the dataset's groundtruth.ivecs: ${adminGt.toFixed(3)}`);
  const searchSeconds = (performance.now() - tSearch) / 1000;

  // 4. A denied access: bob asks for an HR-only record by id.
  const hrId = String(base.findIndex((_, i) => TEAMS[teamOf(i)]!.name === 'hr'));
  const bob = users.get('bob')!;
  const [viaGet] = await col.get([hrId], bob);
  const [stored] = await backend.retrieve(name, [pointIdOf('', hrId)], { withVector: true });
  const sealed = decodeStoredPoint(stored!.payload, stored!.vector, { storedDimension: d });
  const opener = createOpener({ cipher: cipherFor(keyset.primary, col.scheme, ''), collection: name });
  let denial = 'opened (unexpected!)';
  try {
    opener.open(sealed, bob);
  } catch (e) {
    denial = e instanceof DecryptionFailed ? `${e.name}: "${e.message}" (the same error for every failure: no oracle)` : String(e);
  }
  const aliceOpens = opener.tryOpen(sealed, users.get('alice')!) !== null;
  say();
  say(bold('4. A denied access'));
  say(`  bob  get("${hrId}") (HR record "${label(Number(hrId))}") -> ${viaGet === null ? 'null (not readable with this key)' : 'a record (unexpected!)'}`);
  say(`  bob  open(record ${hrId}) -> ${denial}`);
  say(`  alice open(record ${hrId}) -> ${aliceOpens ? 'ok' : 'denied (unexpected!)'}`);

  // 5. What the store sees.
  const p = stored!.payload;
  const shown = Object.fromEntries(Object.entries(p).map(([kk, v]) => [kk, typeof v === 'string' && v.length > 24 ? `${v.slice(0, 24)}… (${v.length} chars)` : v]));
  say();
  say(bold(`5. What the store holds for record ${hrId} (no word, no team, no policy in clear)`));
  for (const l of table(Object.entries(shown).map(([kk, v]) => [kk, JSON.stringify(v)]))) say(`  ${l}`);
  say(`  vector: ${d} float32 values, noisy and mixed (distances approximately preserved)`);

  const seconds = (performance.now() - t0) / 1000;
  say();
  say(`Done in ${seconds.toFixed(1)} s (ingest ${ingestSeconds.toFixed(1)} s, ${(USERS.length + 1) * queries.length + USERS.length} searches ${searchSeconds.toFixed(1)} s).`);
  say('Try the same with files: sealvec init && sealvec keys issue --role hr_manager -o alice.key && sealvec ingest -i base.fvecs --policy "role=hr_manager"');
  await backend.close();

  const result = {
    dataset: { path: dir, base: base.length, dimension: d, queries: queries.length },
    authority: authority.id,
    vectorKey: keyset.primary.kid,
    ingest: { stored: up.stored.length, failed: up.failed.length, seconds: ingestSeconds },
    k,
    users: perUser,
    denied: { user: 'bob', record: hrId, get: viaGet === null ? 'null' : 'record', open: denial, aliceOpens },
    seconds,
  };
  createReporter(io, opts).result(result, lines);
  return result;
}

/**
 * End to end, on the built binary: format v1 data written by the last v1 code (fixtures/v1, with
 * the key directory and user key files as that code wrote them) through today's CLI. `inspect`
 * says the data is v1 and unauthenticated; reading a v1 collection takes --allow-v1; `rotate
 * --allow-v1` migrates a collection (records of both epochs) and a sealed file, after which the
 * plain commands accept the result and `inspect` says v2.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendError, createWriterKey, generateVectorKey, importAuthority, importWriterKey, VectorKeyset } from '@sealvec/core';
import { LocalBackend, SealedCollection, type Backend } from '@sealvec/qdrant';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decrypted, REPO, requireBuilt, sealvec, tempDir, write, type RunResult } from './helpers.js';

interface Hit {
  id: string;
  score: number;
}
interface V1Collection {
  name: string;
  metric: string;
  dataset: string;
  spec: Record<string, unknown> & { name: string };
  points: { id: string; vector: string; payload: Record<string, unknown> }[];
  records: { id: string; epoch: number; row: number; payload: unknown; vectorSha256: string }[];
  answers: { opens: Record<string, string[]>; search: { query: number; k: number; hits: Record<string, Hit[]> }[] };
}
interface V1Fixture {
  users: Record<string, Record<string, string[]>>;
  keys: { authority: string; vectors: string; writers: Record<string, string>; users: Record<string, string> };
  collections: Record<'cosine' | 'euclid', V1Collection>;
  file: { path: string; collection: string; scaleUsedForBeta: number; records: { id: string }[]; decrypt: Record<string, { id: string; payload: unknown; vectorSha256: string }[]> };
}

const V1 = join(REPO, 'fixtures/v1');
const fx = JSON.parse(readFileSync(join(V1, 'v1.json'), 'utf8')) as V1Fixture;

let dir: string;
let cleanup: () => void;
const sv = (args: string[]) => sealvec(args, { cwd: dir });
const ok = (r: RunResult) => expect(r.code, `exit ${r.code}: ${r.stderr}`).toBe(0);
const sha = (v: readonly number[]) => createHash('sha256').update(new Uint8Array(Float32Array.from(v).buffer)).digest('hex');
const errorOf = (r: RunResult) => (JSON.parse(r.stderr.trim().split('\n').pop()!) as { error: { code: string; exit: number; message: string } }).error;
const searchJson = (r: RunResult) =>
  r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { query: string; hits: Hit[]; skipped: unknown[] });

function datasetRow(dataset: string, row: number): number[] {
  const buf = readFileSync(join(REPO, `fixtures/datasets/${dataset}/query.fvecs`));
  const d = buf.readInt32LE(0);
  return Array.from({ length: d }, (_, i) => buf.readFloatLE(row * (4 + 4 * d) + 4 + 4 * i));
}

/** The old code's answers for a query, as the key directory's v2 user key must find them after migration. */
function mergedTop(c: V1Collection, s: V1Collection['answers']['search'][number], user: string): string[] {
  const all = [...s.hits[`${user}@1`]!, ...s.hits[`${user}@2`]!];
  all.sort((a, b) => (c.metric === 'cosine' ? b.score - a.score : a.score - b.score));
  return all.slice(0, s.k).map((h) => h.id);
}

const secret = (path: string, text: string) => {
  writeFileSync(path, `${text}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
};

/** A directory as the v1 CLI left it: keys (authority at epoch 2, the keyset, a v1 writer key), user keys, collections in the embedded store. */
async function v1Directory(at: string, collections: V1Collection[]): Promise<void> {
  const keys = join(at, '.sealvec', 'keys');
  mkdirSync(keys, { recursive: true, mode: 0o700 });
  secret(join(keys, 'authority.json'), fx.keys.authority);
  secret(join(keys, 'vectors.json'), fx.keys.vectors);
  secret(join(keys, 'writer.json'), fx.keys.writers[2]!);
  for (const [name, text] of Object.entries(fx.keys.users)) secret(join(at, `${name.replace('@', '-e')}.key`), text);
  // The collections exactly as the old code stored them.
  const store = await LocalBackend.open({ path: join(at, '.sealvec', 'store') });
  for (const c of collections) {
    await store.createCollection(structuredClone(c.spec) as never);
    const points = c.points.map((p) => {
      const b = Buffer.from(p.vector, 'base64url');
      return { id: p.id, vector: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), payload: p.payload };
    });
    const res = await store.upsert(c.name, points);
    expect(res.failed).toEqual([]);
  }
  await store.close();
  for (const c of collections) write(at, `${c.name}-queries.json`, JSON.stringify(c.answers.search.map((s) => datasetRow(c.dataset, s.query))));
}

beforeAll(async () => {
  requireBuilt();
  ({ dir, cleanup } = tempDir('sealvec-v1-'));
  await v1Directory(dir, Object.values(fx.collections));
  copyFileSync(join(V1, fx.file.path), join(dir, 'v1.jsonl'));
});
afterAll(() => cleanup());

describe('format v1 collections', () => {
  it('inspect says the collection is v1 with an unauthenticated scheme, without any key', async () => {
    for (const c of Object.values(fx.collections)) {
      const r = await sv(['inspect', '--collection', c.name]);
      ok(r);
      expect(r.stdout).toMatch(/format\s+v1: UNAUTHENTICATED scheme .* migrate with "sealvec rotate --allow-v1"/);
      const j = await sv(['inspect', '--collection', c.name, '--json']);
      ok(j);
      expect(JSON.parse(j.stdout)).toMatchObject({ records: c.points.length, scheme: { sealvec: 1, authenticated: false, metric: c.metric } });
    }
  });

  it('search needs --allow-v1; with it, each v1 user key finds what it found with the old code', async () => {
    for (const c of Object.values(fx.collections)) {
      const refused = await sv(['search', '--key', 'alice-e2.key', '--collection', c.name, '--query-file', `${c.name}-queries.json`, '--json']);
      expect(refused.code).toBe(3);
      expect(errorOf(refused)).toMatchObject({ code: 'ERR_SCHEME_UNAUTHENTICATED', message: expect.stringMatching(/--allow-v1/) });
      for (const keyName of Object.keys(fx.keys.users)) {
        const r = await sv(['search', '--key', `${keyName.replace('@', '-e')}.key`, '--collection', c.name, '--query-file', `${c.name}-queries.json`, '-k', '5', '--allow-v1', '--json']);
        ok(r);
        const got = searchJson(r);
        expect(got).toHaveLength(c.answers.search.length);
        got.forEach((q, i) => {
          expect(q.hits.map((h) => h.id), `${c.name} ${keyName} query ${i}`).toEqual(c.answers.search[i]!.hits[keyName]!.map((h) => h.id));
          expect(q.skipped).toEqual([]);
        });
      }
    }
  });

  it('rotate --allow-v1 migrates each collection (both epochs); then plain v2 commands read it and inspect says v2', async () => {
    const refused = await sv(['rotate', '--collection', 'cosine', '--json']);
    expect(refused.code).toBe(3);
    expect(errorOf(refused).code).toBe('ERR_SCHEME_UNAUTHENTICATED');
    const rotated = await sv(['keys', 'rotate', '--only', 'vector', '--json']);
    ok(rotated);
    const newKid = (JSON.parse(rotated.stdout) as { vector: { primary: string } }).vector.primary;
    for (const c of Object.values(fx.collections)) {
      const r = await sv(['rotate', '--collection', c.name, '--allow-v1', '--json']);
      ok(r);
      expect(JSON.parse(r.stdout)).toMatchObject({ collection: c.name, reencrypted: c.points.length, kid: newKid });
      const ins = await sv(['inspect', '--collection', c.name, '--json']);
      ok(ins);
      expect(JSON.parse(ins.stdout)).toMatchObject({ records: c.points.length, vectorKeys: { [newKid]: c.points.length }, scheme: { sealvec: 2, legacyKids: [] } });
      expect((await sv(['inspect', '--collection', c.name])).stdout).toMatch(/format\s+v2: scheme signed by the writer/);
    }
    // Re-issued (v2) user keys find every record they may read, of both epochs, without --allow-v1.
    for (const [user, attrs] of Object.entries(fx.users)) {
      ok(await sv(['keys', 'issue', ...Object.entries(attrs).flatMap(([d, vs]) => ['--attr', `${d}=${vs.join(',')}`]), '-o', `${user}-v2.key`, '--quiet']));
      for (const c of Object.values(fx.collections)) {
        const r = await sv(['search', '--key', `${user}-v2.key`, '--collection', c.name, '--query-file', `${c.name}-queries.json`, '-k', '5', '--json']);
        ok(r);
        searchJson(r).forEach((q, i) => expect(q.hits.map((h) => h.id), `${c.name} ${user} query ${i}`).toEqual(mergedTop(c, c.answers.search[i]!, user)));
        const exp = await sv(['export', '--key', `${user}-v2.key`, '--collection', c.name, '--no-vector']);
        ok(exp);
        const all = [...new Set([...c.answers.opens[`${user}@1`]!, ...c.answers.opens[`${user}@2`]!])].sort();
        const got = decrypted(exp.stdout);
        expect([...got.keys()].sort()).toEqual(all);
        for (const [id, r2] of got) expect(r2.payload).toEqual(c.records.find((x) => x.id === id)!.payload);
      }
    }
    // A v1 user key cannot check the writer's signatures on v2 records: refused by the key alone.
    const old = await sv(['search', '--key', 'alice-e2.key', '--collection', 'cosine', '--query-file', 'cosine-queries.json', '--json']);
    expect(old.code).toBe(3);
    expect(errorOf(old).code).toBe('ERR_INVALID_KEY');
  });
});

describe('a format v1 sealed file', () => {
  it('inspect says v1 and unauthenticated; decrypt reads it under --allow-v1 with a warning, as the old code did', async () => {
    const ins = await sv(['inspect', 'v1.jsonl']);
    ok(ins);
    expect(ins.stdout).toMatch(/format\s+v1: UNAUTHENTICATED scheme/);
    const refused = await sv(['decrypt', '-i', 'v1.jsonl', '--key', 'alice-e2.key']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/--allow-v1/);
    for (const [keyName, want] of Object.entries(fx.file.decrypt)) {
      const r = await sv(['decrypt', '-i', 'v1.jsonl', '--key', `${keyName.replace('@', '-e')}.key`, '--allow-v1']);
      ok(r);
      expect(r.stderr).toMatch(/warning: v1\.jsonl is a format v1 sealed file: its scheme is not authenticated/);
      const got = decrypted(r.stdout);
      expect([...got.keys()].sort()).toEqual(want.map((w) => w.id));
      for (const w of want) {
        expect(got.get(w.id)!.payload).toEqual(w.payload);
        expect(sha(got.get(w.id)!.vector)).toBe(w.vectorSha256);
      }
    }
  });

  it('rotate --allow-v1 -i -o migrates it (euclid needs --scale); decrypt and ingest then accept it and inspect says v2', async () => {
    const noFlag = await sv(['rotate', '-i', 'v1.jsonl', '-o', 'v2.jsonl', '--json']);
    expect(noFlag.code).toBe(3);
    expect(errorOf(noFlag).code).toBe('ERR_SCHEME_UNAUTHENTICATED');
    const noScale = await sv(['rotate', '--allow-v1', '-i', 'v1.jsonl', '-o', 'v2.jsonl', '--json']);
    expect(noScale.code).toBe(2);
    expect(errorOf(noScale).message).toMatch(/--scale/);
    const r = await sv(['rotate', '--allow-v1', '-i', 'v1.jsonl', '-o', 'v2.jsonl', '--scale', String(fx.file.scaleUsedForBeta), '--json']);
    ok(r);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: fx.file.records.length, reencrypted: fx.file.records.length });

    const ins = await sv(['inspect', 'v2.jsonl', '--json']);
    ok(ins);
    expect(JSON.parse(ins.stdout)).toMatchObject({ records: fx.file.records.length, epochs: { 2: fx.file.records.length }, scheme: { sealvec: 2, scale: fx.file.scaleUsedForBeta } });
    expect((await sv(['inspect', 'v2.jsonl'])).stdout).toMatch(/format\s+v2: scheme signed by the writer/);

    // The epoch-1 records were re-sealed at the current epoch: today's keys read them, bit for bit.
    for (const [keyName, want] of Object.entries(fx.file.decrypt)) {
      const user = keyName.slice(0, keyName.indexOf('@'));
      const d = await sv(['decrypt', '-i', 'v2.jsonl', '--key', `${user}-v2.key`]);
      ok(d);
      expect(d.stderr).not.toMatch(/warning/);
      const got = decrypted(d.stdout);
      expect([...got.keys()].sort()).toEqual(want.map((w) => w.id));
      for (const w of want) expect(sha(got.get(w.id)!.vector)).toBe(w.vectorSha256);
    }
    const ing = await sv(['ingest', '-i', 'v2.jsonl', '--collection', fx.file.collection, '--json']);
    ok(ing);
    expect(JSON.parse(ing.stdout)).toMatchObject({ stored: fx.file.records.length, failed: [] });
    const back = await sv(['export', '--key', 'alice-v2.key', '--collection', fx.file.collection, '--no-vector']);
    ok(back);
    expect([...decrypted(back.stdout).keys()].sort()).toEqual(fx.file.decrypt['alice@1']!.map((w) => w.id));
  });
});

describe('an interrupted collection migration', () => {
  it('resumes with sealvec rotate, and a search meanwhile reads both formats', async () => {
    const own = tempDir('sealvec-v1-resume-');
    try {
      const c = fx.collections.cosine;
      await v1Directory(own.dir, [c]);
      const run = (args: string[]) => sealvec(args, { cwd: own.dir });
      ok(await run(['keys', 'rotate', '--only', 'vector', '--quiet']));
      // The library migration, stopped by a store that fails the second page's upsert.
      const authority = importAuthority(fx.keys.authority);
      const keyset = VectorKeyset.import(readFileSync(join(own.dir, '.sealvec', 'keys', 'vectors.json'), 'utf8'));
      const store = await LocalBackend.open({ path: join(own.dir, '.sealvec', 'store') });
      let upserts = 0;
      const failing = new Proxy(store, {
        get(t, p) {
          if (p === 'upsert') {
            return async (...args: Parameters<Backend['upsert']>) => {
              if (++upserts === 2) throw new BackendError('connection reset (injected by the test)');
              return t.upsert(...args);
            };
          }
          const v = Reflect.get(t, p) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
        },
      });
      const col = await SealedCollection.open(failing, { name: c.name, keyset, authority: authority.publicKey, acceptUnauthenticatedV1: true });
      await expect(col.rotateKey(keyset, createWriterKey(authority), { openWith: [importWriterKey(fx.keys.writers[1]!)], pageSize: 4 })).rejects.toThrow(/connection reset/);
      await store.close();

      const mid = await run(['inspect', '--collection', c.name]);
      ok(mid);
      expect(mid.stdout).toMatch(/format\s+v2: .*migration in progress \(v1 records under /);
      for (const [user, attrs] of Object.entries(fx.users)) {
        ok(await run(['keys', 'issue', ...Object.entries(attrs).flatMap(([d, vs]) => ['--attr', `${d}=${vs.join(',')}`]), '-o', `${user}-v2.key`, '--quiet']));
      }
      // Meanwhile today's keys read the collection as it is: the migrated records and the v1 ones of the current epoch.
      const allowed = (user: string) => new Set([...c.answers.opens[`${user}@1`]!, ...c.answers.opens[`${user}@2`]!]);
      for (const user of Object.keys(fx.users)) {
        const s = await run(['search', '--key', `${user}-v2.key`, '--collection', c.name, '--query-file', `${c.name}-queries.json`, '-k', '5', '--json']);
        ok(s);
        for (const q of searchJson(s)) {
          expect(q.skipped).toEqual([]);
          expect(q.hits.length).toBeGreaterThan(0);
          for (const h of q.hits) expect(allowed(user).has(h.id), `${user} got ${h.id}`).toBe(true);
        }
      }
      const r = await run(['rotate', '--collection', c.name, '--json']);
      ok(r);
      expect(JSON.parse(r.stdout)).toMatchObject({ collection: c.name, reencrypted: c.points.length - 4 });
      const ins = await run(['inspect', '--collection', c.name, '--json']);
      expect(JSON.parse(ins.stdout)).toMatchObject({ records: c.points.length, vectorKeys: { [keyset.primary.kid]: c.points.length }, scheme: { sealvec: 2, legacyKids: [] } });
      for (const user of Object.keys(fx.users)) {
        const s = await run(['search', '--key', `${user}-v2.key`, '--collection', c.name, '--query-file', `${c.name}-queries.json`, '-k', '5', '--json']);
        ok(s);
        searchJson(s).forEach((q, i) => expect(q.hits.map((h) => h.id), `${user} query ${i}`).toEqual(mergedTop(c, c.answers.search[i]!, user)));
      }
    } finally {
      own.cleanup();
    }
  });
});

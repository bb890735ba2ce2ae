/**
 * Fuzzing the decoders that read hostile input (issue #9): stored records (decode, open, the lean
 * candidate path, the writer's open), policy headers (decode, unwrap, escrow), collection schemes
 * (parse, verify) and key files (authority, writer, user, vector key, keyset, the passphrase-
 * protected container). Valid inputs of every kind (format v2 made here, format v1 from
 * fixtures/v1) are mutated (./mutate.ts) and each mutant must end in a coded SealvecError or in
 * the honest result: never another plaintext, data key or scheme, never a TypeError, RangeError
 * or stack overflow, and never more than a bounded amount of time or memory.
 *
 * Runs: a few hundred inputs per property normally, thousands under SLOW=1 (`pnpm test:slow`).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorityFromMaster, createWriterKey, issueUserKey } from '../authority/authority.js';
import { exportAuthority, exportUserKey, exportWriterKey, importAuthority, importUserKey, importWriterKey } from '../authority/serialize.js';
import type { UserKey, WriterKey } from '../authority/keys.js';
import { InvalidKey } from '../errors.js';
import { decodeStoredCandidate, decodeStoredPoint, encodeStoredPoint, type StoredPoint } from '../format/record.js';
import { decodeHeader } from '../header/format.js';
import { openEscrow, unwrapDataKey } from '../header/wrap.js';
import { checkScryptParams, passphraseProvider } from '../keys/passphrase.js';
import { protectedInfo, protectSecret, unprotectSecret } from '../keys/provider.js';
import { exportVectorKey, importVectorKey, vectorKeyFromSecret, VectorKeyset, type VectorKey } from '../keys/vector-key.js';
import { canonicalPolicyString } from '../policy/policy.js';
import { tokensDigest } from '../record/binding.js';
import { createOpener, type Opener } from '../record/open.js';
import { createSealer } from '../record/seal.js';
import type { OpenedRecord, SealedRecord } from '../record/types.js';
import { parseScheme, schemeToJSON, signScheme, verifyScheme, type SchemeFields, type SignedScheme } from '../scheme/scheme.js';
import { fromUtf8 } from '../utils.js';
import { createVectorCipher, type VectorCipherParams } from '../vector/cipher.js';
import { bytesEditArb, coded, codedAsync, fuzz, FUZZ_TIMEOUT_MS, fuzzRuns, mutatedJson, mutatedText, type FuzzStats } from './mutate.js';

const pinned = (base: number) => Uint8Array.from({ length: 32 }, (_, i) => (base + i) & 0xff);
const authority = authorityFromMaster(pinned(0x21));
const writer = createWriterKey(authority);
const alice = issueUserKey(authority, { role: ['a'], group: ['g'] }, { blindIndexFields: ['lang'] });
const vectorKey = vectorKeyFromSecret(pinned(0x55));

function report(name: string, s: FuzzStats): void {
  // One line per property: how many inputs, the slowest decode beside the honest input's (the bounds are mutate.ts's).
  console.log(`fuzz ${name}: ${s.runs} inputs, slowest ${s.maxMs.toFixed(1)} ms (honest ${s.honestMs.toFixed(1)} ms), heap ${(s.heapGrowth / 2 ** 20).toFixed(1)} MiB`);
}

// ---- Seeds: valid stored records of both formats -----------------------------------------------

interface Seed {
  name: string;
  point: StoredPoint;
  storedDimension: number;
  opener: Opener;
  /** A user key (it may or may not open the record) and the writer key of the record's epoch. */
  user: UserKey;
  writer: WriterKey;
}

/** Honest plaintexts, by collection and record id: the only thing any mutant may open to. */
const honest = new Map<string, { payload: unknown; vector: number[] }>();
const honestKey = (collection: string, id: string) => `${collection}\u0000${id}`;

function expectHonest(collection: string, got: OpenedRecord): void {
  const h = honest.get(honestKey(collection, got.id));
  expect(h, `opened an unknown record ${JSON.stringify(got.id)}`).toBeDefined();
  expect(got.payload).toEqual(h!.payload);
  if (got.vector !== undefined) expect(Array.from(got.vector)).toEqual(h!.vector);
}

function v2Seeds(name: string, params: Omit<VectorCipherParams, 'collection'>, options: { exactVector?: boolean; prefilter?: boolean; blindIndex?: string[] }): Seed[] {
  const cipher = createVectorCipher(vectorKey, { ...params, collection: name });
  const sealer = createSealer({ writer, cipher, minEntries: 2, ...options });
  const opener = createOpener({ cipher });
  const d = params.dimension;
  const vec = (i: number) => Array.from({ length: d }, (_, j) => Math.fround(Math.sin(i * 7 + j) * (params.metric === 'dot' ? 0.4 : 2)));
  const inputs = [
    { id: 'r0', vector: vec(0), payload: { lang: 'en', n: 0, text: 'é ✓' }, policy: { role: ['a'] } },
    { id: 'r1', vector: vec(1), payload: { lang: 'fr', n: 1 }, policy: {} },
    { id: 'r2-not-alice', vector: vec(2), payload: { list: [1, 2, 3] }, policy: { role: ['b'], group: ['g', 'h'] } },
  ];
  return inputs.map((input) => {
    const rec = sealer.seal(input);
    const opened = opener.openWithWriter(rec, writer);
    honest.set(honestKey(name, input.id), { payload: opened.payload, vector: Array.from(opened.vector!) });
    return { name: `${name}/${input.id}`, point: encodeStoredPoint(rec), storedDimension: cipher.storedDimension, opener, user: alice, writer };
  });
}

interface V1Fixture {
  keys: { authority: string; vectors: string; writers: Record<string, string>; users: Record<string, string> };
  collections: Record<string, { name: string; description: { dimension: number; metadata: Record<string, unknown> }; points: { vector: string; payload: Record<string, unknown> }[] }>;
}
const v1 = JSON.parse(readFileSync(new URL('../../../../fixtures/v1/v1.json', import.meta.url), 'utf8')) as V1Fixture;

function v1Seeds(): Seed[] {
  const c = v1.collections.cosine!;
  const keyset = VectorKeyset.import(v1.keys.vectors);
  const md = c.description.metadata;
  const openers = new Map(keyset.keys.map((k) => [k.kid, createOpener({ cipher: createVectorCipher(k, { version: 1, dimension: md.dimension as number, metric: 'cosine', beta: md.beta as number }), collection: c.name })]));
  // The first records of each epoch and key.
  return [0, 9, 15].map((i) => {
    const p = c.points[i]!;
    const b = Buffer.from(p.vector, 'base64url');
    const vector = Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
    const epoch = p.payload.ep as number;
    const w = importWriterKey(v1.keys.writers[epoch]!);
    const opener = openers.get(p.payload.kid as string)!;
    const rec = decodeStoredPoint(p.payload, vector, { storedDimension: c.description.dimension });
    const opened = opener.openWithWriter(rec, w);
    honest.set(honestKey(c.name, rec.id), { payload: opened.payload, vector: Array.from(opened.vector!) });
    return { name: `v1 ${c.name}/${rec.id}`, point: { vector, payload: p.payload as unknown as StoredPoint['payload'] }, storedDimension: c.description.dimension, opener, user: importUserKey(v1.keys.users[`alice@${epoch}`]!), writer: w };
  });
}

const seeds: Seed[] = [
  ...v2Seeds('fz-cosine', { dimension: 8, metric: 'cosine', beta: 1 }, { blindIndex: ['lang'] }),
  ...v2Seeds('fz-euclid', { dimension: 8, metric: 'euclid', beta: 1, scale: 2 }, { exactVector: false, prefilter: false }),
  ...v2Seeds('fz-dot', { dimension: 8, metric: 'dot', beta: 0.5, maxNorm: 3 }, {}),
  ...v1Seeds(),
];

/** Every way a reader or a writer decodes and opens a stored point; each must end coded or honest. */
function readStoredPoint(seed: Seed, payload: unknown, vector: unknown): void {
  const { opener } = seed;
  const rec = coded(() => decodeStoredPoint(payload, vector, { storedDimension: seed.storedDimension }));
  if (rec !== undefined) {
    const got = coded(() => opener.tryOpen(rec, seed.user));
    if (got) expectHonest(opener.collection, got);
    const payloadOnly = coded(() => opener.tryOpen(rec, seed.user, { vector: false }));
    if (payloadOnly) expectHonest(opener.collection, payloadOnly);
    const w = coded(() => opener.openWithWriter(rec, seed.writer));
    if (w) expectHonest(opener.collection, w);
  }
  const c = coded(() => decodeStoredCandidate(payload));
  if (c !== undefined && opener.version === 2) {
    const x = coded(() => opener.candidateVector(c, seed.user));
    if (x) expect(Array.from(x)).toEqual(honest.get(honestKey(opener.collection, c.id))?.vector);
  }
}

describe('fuzz: stored records (decodeStoredPoint, decodeStoredCandidate, open, candidateVector, openWithWriter)', () => {
  it('every seed opens honestly as it is (the baseline the mutants are held to)', () => {
    for (const seed of seeds) {
      const rec = decodeStoredPoint(seed.point.payload, seed.point.vector, { storedDimension: seed.storedDimension });
      expectHonest(seed.opener.collection, seed.opener.openWithWriter(rec, seed.writer));
    }
    expect(seeds.filter((s) => s.opener.tryOpen(decodeStoredPoint(s.point.payload, s.point.vector), s.user) !== null).length).toBeGreaterThanOrEqual(6);
  });

  it('mutated points: only coded errors or the honest record, in bounded time and memory', async () => {
    const arb = fc.constantFrom(...seeds).chain((seed) => mutatedJson(seed.point).map((m) => ({ seed, m })));
    const check = ({ seed, m }: { seed: Seed; m: unknown }) => {
      const o = (typeof m === 'object' && m !== null ? m : {}) as { payload?: unknown; vector?: unknown };
      readStoredPoint(seed, typeof m === 'object' && m !== null ? o.payload : m, o.vector);
    };
    const stats = await fuzz(arb, check, fuzzRuns(150), () => seeds.forEach((seed) => check({ seed, m: seed.point })));
    report('stored points', stats);
  }, FUZZ_TIMEOUT_MS);

  it('fields spliced from another record of the same collection never open', async () => {
    const fields = ['id', 'kid', 'ep', 'n', 't', 'h', 'p', 'x', 'pf', 'bi', 's'] as const;
    const arb = fc
      .tuple(fc.constantFrom(...seeds), fc.constantFrom(...seeds), fc.subarray([...fields, 'vector' as const], { minLength: 1 }))
      .filter(([a, b]) => a !== b && a.opener === b.opener);
    const stats = await fuzz(
      arb,
      ([a, b, which]) => {
        const payload: Record<string, unknown> = { ...a.point.payload };
        let vector: unknown = a.point.vector;
        for (const f of which) {
          if (f === 'vector') vector = b.point.vector;
          else if ((b.point.payload as unknown as Record<string, unknown>)[f] === undefined) delete payload[f];
          else payload[f] = (b.point.payload as unknown as Record<string, unknown>)[f];
        }
        readStoredPoint(a, payload, vector);
      },
      fuzzRuns(100),
      () => seeds.forEach((seed) => readStoredPoint(seed, seed.point.payload, seed.point.vector)),
    );
    report('spliced points', stats);
  }, FUZZ_TIMEOUT_MS);
});

// ---- Headers ------------------------------------------------------------------------------------

describe('fuzz: policy headers (decodeHeader, unwrapDataKey, openEscrow)', () => {
  const headerSeeds = seeds
    .filter((s) => s.opener.version === 2)
    .map((s) => {
      const rec = decodeStoredPoint(s.point.payload, s.point.vector) as SealedRecord;
      const binding = { recordId: rec.id, collection: s.opener.collection, tenant: rec.tenant, associatedData: tokensDigest(rec.prefilter) };
      const escrow = openEscrow(rec.header, binding, writer);
      return { header: rec.header, binding, dataKey: escrow.dataKey, policy: canonicalPolicyString(escrow.policy) };
    });

  it('mutated headers: only coded errors, or the honest data key and policy', async () => {
    const arb = fc.tuple(fc.constantFrom(...headerSeeds), fc.array(bytesEditArb, { minLength: 1, maxLength: 3 }));
    const check = ([seed, edits]: [(typeof headerSeeds)[number], ((b: Uint8Array) => Uint8Array)[]]) => {
      const h = edits.reduce((b, e) => e(b), seed.header);
      coded(() => decodeHeader(h));
      const key = coded(() => unwrapDataKey(h, seed.binding, alice));
      if (key) expect(Array.from(key)).toEqual(Array.from(seed.dataKey));
      const e = coded(() => openEscrow(h, seed.binding, writer));
      if (e) {
        expect(Array.from(e.dataKey)).toEqual(Array.from(seed.dataKey));
        expect(canonicalPolicyString(e.policy)).toBe(seed.policy);
      }
    };
    const stats = await fuzz(arb, check, fuzzRuns(300), () => headerSeeds.forEach((seed) => check([seed, []])));
    report('headers', stats);
  }, FUZZ_TIMEOUT_MS);
});

// ---- Schemes ------------------------------------------------------------------------------------

describe('fuzz: collection schemes (parseScheme, verifyScheme)', () => {
  const base: SchemeFields = {
    collection: 'fz',
    dimension: 16,
    metric: 'cosine',
    beta: 1,
    preset: 'balanced',
    scale: null,
    maxNorm: null,
    authority: authority.id,
    prefilter: true,
    blindIndexFields: ['lang', 'year'],
    exactVector: true,
    legacyKids: [],
  };
  const signed: SignedScheme[] = [
    signScheme(base, writer),
    signScheme({ ...base, collection: 'Ünï', metric: 'euclid', beta: 12.5, preset: null, scale: 12.5, blindIndexFields: [], prefilter: false, legacyKids: ['0123456789abcdef'] }, writer),
    signScheme({ ...base, metric: 'dot', maxNorm: 4, beta: 2, exactVector: false }, writer),
  ];
  const v1Raw = Object.values(v1.collections).map((c) => ({ collection: c.name, raw: c.description.metadata }));
  const schemeSeeds = [...signed.map((s) => ({ collection: s.collection, raw: schemeToJSON(s) as unknown, signed: s as SignedScheme | undefined })), ...v1Raw.map((r) => ({ ...r, signed: undefined }))];

  it('mutated scheme metadata: only coded errors; whatever verifies is exactly the signed scheme', async () => {
    const check = ({ seed, raw }: { seed: (typeof schemeSeeds)[number]; raw: unknown }) => {
      const s = coded(() => parseScheme(seed.collection, raw));
      if (s === undefined || s.version !== 2) return;
      coded(() => verifyScheme(s, `${seed.collection}-other`, authority.publicKey));
      const ok = coded(() => (verifyScheme(s, seed.collection, authority.publicKey), true));
      if (ok) expect(s).toEqual(seed.signed);
    };
    const arb = fc.constantFrom(...schemeSeeds).chain((seed) => mutatedJson(seed.raw).map((raw) => ({ seed, raw })));
    const stats = await fuzz(arb, check, fuzzRuns(150), () => schemeSeeds.forEach((seed) => check({ seed, raw: seed.raw })));
    report('schemes', stats);
  }, FUZZ_TIMEOUT_MS);
});

// ---- Key files ----------------------------------------------------------------------------------

describe('fuzz: key files (authority, writer, user, vector key, keyset, passphrase-protected)', () => {
  const target = seeds[0]!; // fz-cosine/r0: alice and the writer open it
  const targetRec = decodeStoredPoint(target.point.payload, target.point.vector);
  const collection = target.opener.collection;
  const cipherParams = { dimension: 8, metric: 'cosine' as const, beta: 1, collection };

  /** A key that imports must still open nothing but the honest record. */
  const withVectorKey = (k: VectorKey) => {
    const got = coded(() => createOpener({ cipher: createVectorCipher(k, cipherParams) }).tryOpen(targetRec, alice));
    if (got) expectHonest(collection, got);
  };
  const kinds: { kind: string; seeds: string[]; read: (text: string) => void }[] = [
    { kind: 'authority', seeds: [exportAuthority(authority), v1.keys.authority], read: (t) => void coded(() => importAuthority(t)) },
    {
      kind: 'writer key',
      seeds: [exportWriterKey(writer), v1.keys.writers['2']!],
      read: (t) => {
        const w = coded(() => importWriterKey(t));
        const got = w && coded(() => target.opener.openWithWriter(targetRec, w));
        if (got) expectHonest(collection, got);
      },
    },
    {
      kind: 'user key',
      seeds: [exportUserKey(alice), v1.keys.users['alice@2']!],
      read: (t) => {
        const u = coded(() => importUserKey(t));
        const got = u && coded(() => target.opener.tryOpen(targetRec, u));
        if (got) expectHonest(collection, got);
      },
    },
    {
      kind: 'vector key',
      seeds: [exportVectorKey(vectorKey)],
      read: (t) => {
        const k = coded(() => importVectorKey(t));
        if (k) withVectorKey(k);
      },
    },
    {
      kind: 'vector keyset',
      seeds: [VectorKeyset.create(vectorKey, '2026-01-01T00:00:00.000Z').add(vectorKeyFromSecret(pinned(0x99)), '2026-02-01T00:00:00.000Z').export(), v1.keys.vectors],
      read: (t) => {
        const ks = coded(() => VectorKeyset.import(t));
        if (ks) for (const k of ks.keys) withVectorKey(k);
      },
    },
  ];

  for (const { kind, seeds: texts, read } of kinds) {
    it(`mutated ${kind} files: only InvalidKey, and a key that imports opens nothing but the honest record`, async () => {
      for (const t of texts) read(t);
      const stats = await fuzz(fc.constantFrom(...texts).chain(mutatedText), read, fuzzRuns(100), () => texts.forEach(read));
      report(kind, stats);
    }, FUZZ_TIMEOUT_MS);
  }

  describe('passphrase-protected key files', () => {
    const PASS = 'correct horse battery staple';
    // The cheapest parameters a reader accepts: the fuzz bound is on decoding, not on scrypt's cost by design.
    const provider = passphraseProvider(PASS, { scrypt: { logN: 10, r: 1, p: 1 } });
    const plaintext = exportAuthority(authority);
    let text = '';
    beforeAll(async () => {
      text = await protectSecret(plaintext, 'sealvec/authority', provider);
    });

    it('mutated containers: only coded errors, or the honest plaintext', async () => {
      const digest = (s: string) => createHash('sha256').update(s).digest('hex');
      expect(digest(fromUtf8((await unprotectSecret(text, provider)).plaintext))).toBe(digest(plaintext));
      const check = async (t: string) => {
        const info = coded(() => protectedInfo(t));
        if (info === undefined) return;
        const { logN, r, p } = info.params;
        if (info.provider === 'scrypt' && logN === 10 && r === 1 && p === 1) {
          const out = await codedAsync(() => unprotectSecret(t, provider));
          if (out) {
            expect(out.holds).toBe('sealvec/authority');
            expect(digest(fromUtf8(out.plaintext))).toBe(digest(plaintext));
          }
        } else {
          // Other costs are not derived here: a legal logN 20 takes seconds by design. They must
          // be refused before any work, or lie within the documented limits (SCRYPT_LIMITS).
          coded(() => checkScryptParams({ logN, r, p }, (m) => new InvalidKey(m)));
        }
      };
      const stats = await fuzz(mutatedText(text), check, fuzzRuns(100), () => check(text));
      report('protected containers', stats);
    }, FUZZ_TIMEOUT_MS);
  });
});

// ---- What the fuzzing found, pinned -------------------------------------------------------------

describe('fuzz findings, as fixed regressions', () => {
  const deepArray = () => {
    let v: unknown = [];
    for (let i = 0; i < 200_000; i++) v = [v];
    return v;
  };

  it('a lone surrogate in a stored id or tenant is Malformed when decoded (it was a RangeError from open)', () => {
    const seed = seeds[0]!;
    for (const field of ['id', 'tnt'] as const) {
      const payload = { ...seed.point.payload, [field]: 'a\ud800b' };
      expect(() => decodeStoredPoint(payload, seed.point.vector)).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED' }));
      expect(() => decodeStoredCandidate(payload)).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED' }));
    }
  });

  it('a deeply nested version or type is described, not serialized (it overflowed the stack)', async () => {
    const deep = deepArray();
    expect(() => parseScheme('c', { sealvec: deep })).toThrow(expect.objectContaining({ code: 'ERR_SCHEME_MISMATCH', message: expect.stringContaining('version an array') }));
    const nested = (field: string, extra: Record<string, unknown> = {}) => `{${JSON.stringify(field)}: ${'['.repeat(50_000)}${']'.repeat(50_000)}${Object.entries(extra).map(([k, v]) => `, ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join('')}}`;
    expect(() => importAuthority(nested('type'))).toThrow(InvalidKey);
    expect(() => importUserKey(nested('version', { type: 'sealvec/user-key' }))).toThrow(InvalidKey);
    await expect(unprotectSecret(nested('type'), passphraseProvider('x'))).rejects.toBeInstanceOf(InvalidKey);
    await expect(unprotectSecret(nested('version', { type: 'sealvec/protected' }), passphraseProvider('x'))).rejects.toBeInstanceOf(InvalidKey);
  });
});

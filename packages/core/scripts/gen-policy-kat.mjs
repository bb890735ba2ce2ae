// Generates fixtures/kat/policy-header.json and fixtures/kat/sealed-record.json (format v2; the
// v1 files, -v1.json, were made by this script's v1 edition and are kept as they were) from the
// built package (run `pnpm -F @sealvec/core build` first):
//   node packages/core/scripts/gen-policy-kat.mjs
// Every input is pinned: master secret, vector key, data keys, and all randomness (nonces, dummy
// entries, padding tokens), which comes from the test-only random source below. The checks are
// in packages/core/src/format/kat.test.ts. Regenerate only on a deliberate format change, and say
// so in the commit.
import { writeFileSync } from 'node:fs';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  authorityFromMaster,
  blindIndexToken,
  canonicalPolicyString,
  createOpener,
  createRewrapper,
  createSealer,
  createVectorCipher,
  createWriterKey,
  decodeHeader,
  decodeStoredPoint,
  encodeStoredPoint,
  exportVectorKey,
  fromBase64url,
  issueUserKey,
  parsePolicy,
  toBase64url,
  unwrapDataKey,
  userPrefilterTokens,
  vectorKeyFromSecret,
  withEpoch,
  wrapDataKey,
} from '../dist/index.js';
// Internals, only to forge records the way a reader who holds a data key could (invalid cases).
import { blindIndexDigest, payloadAad, recordKeys, exactVectorAad } from '../dist/record/binding.js';
import { primitives } from '../dist/primitives/node.js';

/** Must match seededRandom in packages/core/src/__tests__/arbitraries.ts. */
function seededRandom(seed) {
  const key = sha256(new TextEncoder().encode(seed));
  let call = 0;
  return (n) => {
    const nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setUint32(8, call++, false);
    return chacha20(key, nonce, new Uint8Array(n));
  };
}

const hex = (b) => Buffer.from(b).toString('hex');
const bytes = (n, f) => Uint8Array.from({ length: n }, (_, i) => f(i) & 0xff);
const MASTER = bytes(32, (i) => 0x40 + i);
const SCHEMA = ['role', 'group', 'department'];
const write = (name, obj) => {
  const path = new URL(`../../../fixtures/kat/${name}`, import.meta.url);
  writeFileSync(path, JSON.stringify(obj, null, 2) + '\n');
  console.log(`wrote ${path.pathname}`);
};

// ---- Headers ---------------------------------------------------------------------------------------

const headerCases = [
  { name: 'one tuple, no padding', epoch: 1, tenant: '', collection: 'docs', recordId: 'rec-1', policy: 'role=admin', minEntries: 1, ad: '' },
  { name: 'four tuples padded to 8, tenant', epoch: 3, tenant: 'acme', collection: 'hr', recordId: 'rec-2', policy: 'role=hr_manager,admin;group=team_hr,team_ops;department=human_resources', minEntries: 8, ad: '0102' },
  { name: 'open policy (one * tuple), unicode record id', epoch: 1, tenant: '', collection: '', recordId: 'doc/é/1', policy: '*', minEntries: 1, ad: '' },
];
const headerUsers = [
  { role: ['admin'] },
  { role: ['admin'], group: ['team_ops'], department: ['human_resources'] },
  { role: ['hr_manager'], group: ['team_hr'] },
  {},
];
const headers = { description: 'Known-answer vectors for Sealvec policy headers, header version 2. See fixtures/kat/README.md.', valid: [], invalid: [] };
headerCases.forEach((c, idx) => {
  const authority = authorityFromMaster(MASTER, { schema: SCHEMA, epoch: c.epoch });
  const writer = createWriterKey(authority, { tenant: c.tenant });
  const policy = parsePolicy(authority.schema, c.policy);
  const dataKey = bytes(32, (i) => 0xa0 + i + idx);
  const binding = { recordId: c.recordId, collection: c.collection, tenant: c.tenant, associatedData: Buffer.from(c.ad, 'hex') };
  const seed = `sealvec-kat-header-${idx}`;
  const header = wrapDataKey(dataKey, policy, writer, binding, { minEntries: c.minEntries, testOnlyRandom: seededRandom(seed) });
  const opens = headerUsers.map((attributes) => {
    const got = unwrapDataKey(header, binding, issueUserKey(authority, attributes, { tenant: c.tenant }));
    return { attributes, dataKey: got === null ? null : hex(got) };
  });
  headers.valid.push({
    name: c.name,
    master: hex(MASTER),
    schema: SCHEMA,
    epoch: c.epoch,
    tenant: c.tenant,
    collection: c.collection,
    recordId: c.recordId,
    associatedData: c.ad,
    dataKey: hex(dataKey),
    policy: canonicalPolicyString(policy),
    minEntries: c.minEntries,
    random: seed,
    header: toBase64url(header),
    entryCount: decodeHeader(header).entryCount,
    opens,
  });
});
{
  const base = headers.valid[1];
  const h = fromBase64url(base.header);
  const edit = (f) => {
    const b = Uint8Array.from(h);
    f(b);
    return toBase64url(b);
  };
  const user = base.opens.find((o) => o.dataKey !== null).attributes;
  const inv = (name, change, expect) => headers.invalid.push({ name, of: base.name, attributes: user, ...change, expect });
  inv('version byte 3', { header: edit((b) => (b[0] = 3)) }, 'ERR_UNSUPPORTED_VERSION');
  inv('version byte 1 (a v2 header relabelled v1)', { header: edit((b) => (b[0] = 1)) }, 'null');
  inv('epoch field changed', { header: edit((b) => (b[4] ^= 1)) }, 'null');
  inv('nonce bit flipped', { header: edit((b) => (b[5] ^= 1)) }, 'null');
  inv('entry count 3', { header: edit((b) => (b[30] = 3)) }, 'ERR_MALFORMED');
  inv('locators out of order', { header: edit((b) => b.copyWithin(31, 31 + 64, 31 + 128)) }, 'ERR_MALFORMED');
  inv('wrapped key bit flipped in every entry', { header: edit((b) => { for (let i = 0; i < 8; i++) b[31 + i * 64 + 20] ^= 4; }) }, 'null');
  inv('escrow bit flipped', { header: edit((b) => (b[b.length - 40] ^= 1)) }, 'null');
  inv('MAC bit flipped', { header: edit((b) => (b[b.length - 1] ^= 1)) }, 'null');
  inv('truncated by one byte', { header: toBase64url(h.subarray(0, h.length - 1)) }, 'ERR_MALFORMED');
  inv('one byte appended', { header: toBase64url(Uint8Array.from([...h, 0])) }, 'ERR_MALFORMED');
  inv('moved to another record id', { recordId: 'rec-3' }, 'null');
  inv('moved to another collection', { collection: 'other' }, 'null');
  inv('associated data changed', { associatedData: '0103' }, 'null');
}
write('policy-header.json', headers);

// ---- Sealed records -------------------------------------------------------------------------------

const recordCases = [
  {
    name: 'cosine d=8, pre-filter and blind index, exact vector',
    epoch: 1,
    tenant: '',
    collection: 'docs',
    params: { dimension: 8, metric: 'cosine', beta: 0.5, tenant: '', collection: 'docs' },
    options: { prefilter: true, blindIndex: ['status', 'tags'], exactVector: true, minEntries: 1 },
    input: {
      id: 'doc-1',
      vector: [0.5, -1, 2, 0, 3.25, -0.125, 1, 7],
      payload: { status: 'open', tags: ['q3', 'hr'], title: 'Quarterly review', n: 3 },
      policy: 'roles=hr_manager,admin;groups=team_hr;departments=human_resources',
    },
    user: { attributes: { role: ['admin'], group: ['team_hr'], department: ['human_resources'] }, blindIndexFields: ['status'] },
    queries: [{ field: 'status', value: 'open' }],
  },
  {
    name: 'euclid d=6, tenant, post-filter, cipher decryption only',
    epoch: 2,
    tenant: 'acme',
    collection: 'notes',
    params: { dimension: 6, metric: 'euclid', beta: 1, tenant: 'acme', collection: 'notes', scale: 9 },
    options: { prefilter: false, blindIndex: [], exactVector: false, minEntries: 4 },
    input: { id: 'note-7', vector: [1, 2, 3, 4, 5, 6], payload: ['any', 'json', 1, null], policy: '*' },
    user: { attributes: {}, blindIndexFields: [] },
    queries: [],
  },
  {
    name: 'dot d=5, exact vector, 24 tuples',
    epoch: 1,
    tenant: '',
    collection: 'mips',
    params: { dimension: 5, metric: 'dot', beta: 0.25, maxNorm: 4, tenant: '', collection: 'mips' },
    options: { prefilter: true, blindIndex: ['k'], exactVector: true, minEntries: 1 },
    input: { id: 'm-1', vector: [1, 1, 1, 1, 1], payload: { k: 42 }, policy: 'role=r1,r2,r3,r4;group=g1,g2,g3;department=d1,d2' },
    user: { attributes: { role: ['r4'], group: ['g2'], department: ['d2'] }, blindIndexFields: ['k'] },
    queries: [{ field: 'k', value: 42 }],
  },
];

const records = { description: 'Known-answer vectors for Sealvec sealed records (stored format version 2). See fixtures/kat/README.md.', valid: [], rewrap: [], invalid: [] };
const forgeries = [];
recordCases.forEach((c, idx) => {
  const authority = authorityFromMaster(MASTER, { schema: SCHEMA, epoch: c.epoch });
  const writer = createWriterKey(authority, { tenant: c.tenant });
  const vectorKey = vectorKeyFromSecret(bytes(32, (i) => 0x10 + 3 * i + idx));
  const cipher = createVectorCipher(vectorKey, c.params);
  const seed = `sealvec-kat-record-${idx}`;
  const sealer = createSealer({ writer, cipher, collection: c.collection, ...c.options, testOnlyRandom: seededRandom(seed) });
  const stored = encodeStoredPoint(sealer.seal(c.input));
  const user = issueUserKey(authority, c.user.attributes, { tenant: c.tenant, blindIndexFields: c.user.blindIndexFields });
  const opened = createOpener({ cipher, collection: c.collection }).open(decodeStoredPoint(stored.payload, stored.vector), user);
  if (idx === 0) {
    // What a reader who opens this record can do with its data key: re-seal the payload (and the
    // exact vector) under the unchanged header. Format v2 refuses both (the writer's signature).
    const rec = decodeStoredPoint(stored.payload, stored.vector);
    const dataKey = unwrapDataKey(rec.header, { recordId: rec.id, collection: c.collection, tenant: c.tenant, associatedData: tokensDigestOf(rec.prefilter) }, user);
    const keys = recordKeys(dataKey);
    const scope = { tenant: c.tenant, collection: c.collection, recordId: rec.id, kid: rec.kid };
    const n1 = bytes(24, (i) => 0x77 + i);
    const forgedPayload = new Uint8Array([...n1, ...primitives.xchacha20poly1305Seal(keys.payload, n1, new TextEncoder().encode(JSON.stringify({ ...c.input.payload, title: 'FORGED by a reader' })), payloadAad(scope, true, blindIndexDigest(rec.blindIndex), 2))]);
    const n2 = bytes(24, (i) => 0x55 + i);
    const plain = new Uint8Array(1 + 4 * c.params.dimension);
    plain[0] = 1;
    const dv = new DataView(plain.buffer);
    c.input.vector.forEach((v, i) => dv.setFloat32(1 + 4 * i, -v, true));
    const forgedExact = new Uint8Array([...n2, ...primitives.xchacha20poly1305Seal(keys.vector, n2, plain, exactVectorAad(scope, rec.nonce, rec.tag, 2))]);
    forgeries.push({ p: toBase64url(forgedPayload), x: toBase64url(forgedExact) });
  }
  records.valid.push({
    name: c.name,
    master: hex(MASTER),
    schema: SCHEMA,
    epoch: c.epoch,
    tenant: c.tenant,
    collection: c.collection,
    vectorKey: exportVectorKey(vectorKey),
    params: c.params,
    options: c.options,
    random: seed,
    input: c.input,
    stored,
    user: c.user,
    opened: { vector: Array.from(opened.vector), payload: opened.payload },
    userPrefilterTokens: userPrefilterTokens(user, c.collection),
    blindIndexQueries: c.queries.map((q) => ({ ...q, token: blindIndexToken(user, q.field, q.value, c.collection) })),
  });
  if (idx === 0) {
    const a2 = withEpoch(authority, c.epoch + 1);
    const rseed = 'sealvec-kat-rewrap-0';
    const rw = createRewrapper({ from: writer, to: createWriterKey(a2, { tenant: c.tenant }), collection: c.collection, testOnlyRandom: seededRandom(rseed) });
    const r2 = encodeStoredPoint(rw.rewrap(decodeStoredPoint(stored.payload, stored.vector)));
    records.rewrap.push({ name: 'rewrap case 0 to epoch 2', of: c.name, toEpoch: c.epoch + 1, random: rseed, stored: r2 });
  }
});
{
  const base = records.valid[0];
  const p = base.stored.payload;
  const flip = (s, i) => {
    const b = fromBase64url(s);
    b[i] ^= 1;
    return toBase64url(b);
  };
  const inv = (name, change, error) => records.invalid.push({ name, of: base.name, ...change, error });
  inv('sv 3', { set: { sv: 3 } }, 'ERR_UNSUPPORTED_VERSION');
  inv('sv 1 (a v2 record relabelled v1, signature kept)', { set: { sv: 1 } }, 'ERR_MALFORMED');
  inv('sv 1 (a v2 record relabelled v1, signature dropped)', { set: { sv: 1 }, delete: ['s'] }, 'ERR_DECRYPTION_FAILED');
  inv('signature removed', { delete: ['s'] }, 'ERR_MALFORMED');
  inv('signature bit flipped', { set: { s: flip(p.s, 5) } }, 'ERR_DECRYPTION_FAILED');
  inv('payload forged by a reader (re-sealed under the data key, header unchanged)', { set: { p: forgeries[0].p } }, 'ERR_DECRYPTION_FAILED');
  inv('exact vector forged by a reader', { set: { x: forgeries[0].x } }, 'ERR_DECRYPTION_FAILED');
  inv('signature of another record (case 2)', { set: { s: records.valid[2].stored.payload.s } }, 'ERR_DECRYPTION_FAILED');
  // JSON can carry a key "__proto__" that a JS object literal cannot: the test splices it in.
  inv('blind-index field named __proto__', { biProtoTokens: ['A'.repeat(16)] }, 'ERR_MALFORMED');
  inv('ep does not match the header', { set: { ep: 2 } }, 'ERR_MALFORMED');
  inv('kid not hex', { set: { kid: 'not-a-key-id!!!!' } }, 'ERR_MALFORMED');
  inv('n truncated', { set: { n: p.n.slice(0, 10) } }, 'ERR_MALFORMED');
  inv('h not base64url', { set: { h: `${p.h.slice(0, -1)}=` } }, 'ERR_MALFORMED');
  inv('pf reordered', { set: { pf: p.pf.slice().reverse() } }, 'ERR_MALFORMED');
  inv('header bit flipped', { set: { h: flip(p.h, 12) } }, 'ERR_DECRYPTION_FAILED');
  inv('sealed payload bit flipped', { set: { p: flip(p.p, 30) } }, 'ERR_DECRYPTION_FAILED');
  inv('sealed payload nonce bit flipped', { set: { p: flip(p.p, 0) } }, 'ERR_DECRYPTION_FAILED');
  inv('sealed exact vector bit flipped', { set: { x: flip(p.x, 30) } }, 'ERR_DECRYPTION_FAILED');
  inv('vector tag bit flipped', { set: { t: flip(p.t, 0) } }, 'ERR_DECRYPTION_FAILED');
  inv('vector nonce bit flipped', { set: { n: flip(p.n, 0) } }, 'ERR_DECRYPTION_FAILED');
  inv('record id changed', { set: { id: 'doc-2' } }, 'ERR_DECRYPTION_FAILED');
  inv('tenant changed', { set: { tnt: 'other' } }, 'ERR_DECRYPTION_FAILED');
  inv('pre-filter token replaced', { set: { pf: ['A'.repeat(22), ...p.pf.slice(1)].sort() } }, 'ERR_DECRYPTION_FAILED');
  inv('blind-index token replaced', { set: { bi: { ...p.bi, status: ['A'.repeat(16)] } } }, 'ERR_DECRYPTION_FAILED');
  inv('exact vector removed', { delete: ['x'] }, 'ERR_DECRYPTION_FAILED');
  inv('pre-filter tokens removed', { delete: ['pf'] }, 'ERR_DECRYPTION_FAILED');
  inv('vector coordinate changed', { vector: base.stored.vector.map((v, i) => (i === 2 ? Math.fround(v + 1e-3) : v)) }, 'ERR_DECRYPTION_FAILED');
  inv('opened in another collection', { collection: 'other' }, 'ERR_DECRYPTION_FAILED');
  inv('opened by a user outside the policy', { attributes: { role: ['admin'], group: ['team_hr'] } }, 'ERR_DECRYPTION_FAILED');
  inv('header and tokens of case 2 (another record)', { set: { h: records.valid[2].stored.payload.h, pf: records.valid[2].stored.payload.pf, ep: records.valid[2].stored.payload.ep } }, 'ERR_DECRYPTION_FAILED');
}
write('sealed-record.json', records);

function tokensDigestOf(pf) {
  return primitives.sha256(lpBytes(pf === undefined ? ['sealvec/pf', 'absent'] : ['sealvec/pf', String(pf.length), ...pf]));
}
function lpBytes(fields) {
  const parts = fields.map((f) => new TextEncoder().encode(f));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  let o = 0;
  for (const p of parts) {
    new DataView(out.buffer).setUint32(o, p.length, false);
    out.set(p, o + 4);
    o += 4 + p.length;
  }
  return out;
}

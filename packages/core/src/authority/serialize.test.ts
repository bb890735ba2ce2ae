import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import { InvalidKey } from '../errors.js';
import { unwrapDataKey, wrapDataKey } from '../header/wrap.js';
import { createPolicy } from '../policy/policy.js';
import { toBase64url } from '../utils.js';
import { authorityFromMaster, createWriterKey, issueUserKey, rotateEpoch } from './authority.js';
import { authorityInfo, userKeyInfo, writerKeyInfo } from './info.js';
import { exportAuthority, exportUserKey, exportWriterKey, importAuthority, importUserKey, importWriterKey } from './serialize.js';

const MASTER = Uint8Array.from({ length: 32 }, (_, i) => 3 * i);
const DK = Uint8Array.from({ length: 32 }, (_, i) => i);

describe('key serialization', () => {
  const a = rotateEpoch(authorityFromMaster(MASTER, { schema: ['role', 'group'] }));
  const w = createWriterKey(a, { tenant: 'acme' });
  const u = issueUserKey(a, { role: ['admin', 'hr'], group: ['x'] }, { tenant: 'acme', blindIndexFields: ['status', 'owner'] });

  it('round-trips every kind of key with the same behaviour', () => {
    const a2 = importAuthority(exportAuthority(a));
    expect(authorityInfo(a2)).toEqual(authorityInfo(a));
    const w2 = importWriterKey(exportWriterKey(w));
    expect(writerKeyInfo(w2)).toEqual(writerKeyInfo(w));
    const u2 = importUserKey(exportUserKey(u));
    expect(userKeyInfo(u2)).toEqual(userKeyInfo(u));
    expect(exportUserKey(u2)).toBe(exportUserKey(u));
    const p = createPolicy(a.schema, { role: ['hr'] });
    const h = wrapDataKey(DK, p, w2, { recordId: 'r', tenant: 'acme' });
    expect(unwrapDataKey(h, { recordId: 'r', tenant: 'acme' }, u2)).toEqual(DK);
    expect(unwrapDataKey(wrapDataKey(DK, p, createWriterKey(a2, { tenant: 'acme' }), { recordId: 'r', tenant: 'acme' }), { recordId: 'r', tenant: 'acme' }, u)).toEqual(DK);
  });

  it('is typed, versioned JSON with base64url secrets', () => {
    const j = JSON.parse(exportUserKey(u));
    expect(j.type).toBe('sealvec/user-key');
    expect(j.version).toBe(2);
    expect(j.writerKey).toBe(toBase64url(w.publicKey).length > 0 ? j.writerKey : '');
    expect(JSON.parse(exportWriterKey(w)).certificate).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(j.tupleKeys).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Object.keys(j.fields)).toEqual(['owner', 'status']);
    expect(JSON.parse(exportWriterKey(w)).type).toBe('sealvec/writer-key');
    expect(JSON.parse(exportAuthority(a)).type).toBe('sealvec/authority');
  });

  it('rejects every kind of bad serialized key with InvalidKey', () => {
    const edit = (text: string, f: (o: Record<string, unknown>) => void) => {
      const o = JSON.parse(text);
      f(o);
      return JSON.stringify(o);
    };
    const A = exportAuthority(a);
    const W = exportWriterKey(w);
    const U = exportUserKey(u);
    const cases: [(s: string) => unknown, string][] = [
      [importAuthority, 'not json'],
      [importAuthority, '[]'],
      [importAuthority, W],
      [importAuthority, edit(A, (o) => (o.version = 2))],
      [importWriterKey, edit(W, (o) => (o.version = 3))],
      [importWriterKey, edit(W, (o) => delete o.certificate)],
      [importWriterKey, edit(W, (o) => (o.certificate = toBase64url(new Uint8Array(64))))], // does not verify
      [importWriterKey, edit(W, (o) => (o.epoch = 7))], // the certificate names the key's own epoch
      [importUserKey, edit(U, (o) => delete o.writerKey)],
      [importUserKey, edit(U, (o) => (o.writerKey = toBase64url(new Uint8Array(31))))],
      [importAuthority, edit(A, (o) => (o.master = 'AAAA'))],
      [importAuthority, edit(A, (o) => (o.master = 'not base64!'))],
      [importAuthority, edit(A, (o) => (o.id = '0000000000000000'))],
      [importAuthority, edit(A, (o) => (o.epoch = 0))],
      [importAuthority, edit(A, (o) => (o.schema = ['Role']))],
      [importAuthority, edit(A, (o) => (o.extra = 1))],
      [importWriterKey, U],
      [importWriterKey, edit(W, (o) => (o.secret = toBase64url(new Uint8Array(31))))],
      [importWriterKey, edit(W, (o) => delete o.blindIndexRoot)],
      [importWriterKey, edit(W, (o) => (o.tenant = 7))],
      [importWriterKey, edit(W, (o) => (o.authority = 'xyz'))],
      [importUserKey, edit(U, (o) => (o.tupleKeys = toBase64url(new Uint8Array(32))))],
      [importUserKey, edit(U, (o) => ((o.attributes as Record<string, unknown>).role = ['admin']))],
      [importUserKey, edit(U, (o) => ((o.attributes as Record<string, unknown>).team = ['x']))],
      [importUserKey, edit(U, (o) => (o.fields = { 'a.b': toBase64url(new Uint8Array(32)) }))],
      [importUserKey, edit(U, (o) => (o.fields = { a: toBase64url(new Uint8Array(16)) }))],
      [importUserKey, edit(U, (o) => (o.fields = []))],
      [importUserKey, edit(U, (o) => (o.attributes = { role: Array.from({ length: 70 }, (_, i) => `r${i}`), group: Array.from({ length: 70 }, (_, i) => `g${i}`) }))],
      [importUserKey, ' '.repeat(1_048_577)],
    ];
    for (const [f, text] of cases) expect(() => f(text), text.slice(0, 200)).toThrow(InvalidKey);
    expect(() => importUserKey(5 as never)).toThrow(TypeError);
  });

  it('a user key whose writer key is not certified by its authority key is refused (fields spliced from other keys)', () => {
    const edit = (f: (o: Record<string, unknown>) => void) => {
      const o = JSON.parse(exportUserKey(u));
      f(o);
      return JSON.stringify(o);
    };
    const other = authorityFromMaster(Uint8Array.from({ length: 32 }, (_, i) => 100 + i));
    const otherEpoch = createWriterKey(rotateEpoch(a), { tenant: 'acme' });
    const spliced: [string, string][] = [
      ['the writer key of another epoch', edit((o) => (o.writerKey = toBase64url(otherEpoch.publicKey)))],
      ['the writer key of another tenant', edit((o) => (o.writerKey = toBase64url(createWriterKey(a, { tenant: 'x' }).publicKey)))],
      ['the authority key of another authority', edit((o) => (o.authorityKey = toBase64url(other.publicKey.publicKey)))],
      ['a zero certificate', edit((o) => (o.certificate = toBase64url(new Uint8Array(64))))],
      ['no certificate', edit((o) => delete o.certificate)],
      ['a short certificate', edit((o) => (o.certificate = toBase64url(new Uint8Array(63))))],
      ['another epoch claimed', edit((o) => (o.epoch = 1))],
    ];
    for (const [name, text] of spliced) expect(() => importUserKey(text), name).toThrow(InvalidKey);
    expect(() => importUserKey(spliced[0]![1])).toThrow(/writer certificate does not verify/);
    // The certificate is the writer key's own (deterministic Ed25519): the same bytes in both files.
    expect(JSON.parse(exportUserKey(u)).certificate).toBe(JSON.parse(exportWriterKey(w)).certificate);
    expect(userKeyInfo(importUserKey(exportUserKey(u))).writerKey).toBe(toBase64url(w.publicKey));
  });

  it('random text gives InvalidKey, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (t) => {
        for (const f of [importAuthority, importWriterKey, importUserKey]) expect(() => f(t)).toThrow(InvalidKey);
      }),
      { numRuns: numRuns(200) },
    );
  });
});

describe('format v1 key files still import (before signatures existed)', () => {
  const a = authorityFromMaster(MASTER);
  const w = createWriterKey(a);
  const u = issueUserKey(a, { role: ['admin'] });
  const asV1 = (text: string, drop: string[]) => {
    const o = JSON.parse(text);
    o.version = 1;
    for (const k of drop) delete o[k];
    return JSON.stringify(o);
  };
  it('a v1 writer key imports without a certificate; it still signs with the same key', () => {
    const w1 = importWriterKey(asV1(exportWriterKey(w), ['authorityKey', 'certificate']));
    expect(w1.authorityKey).toBeNull();
    expect(writerKeyInfo(w1).certified).toBe(false);
    expect(w1.publicKey).toEqual(w.publicKey);
    expect(JSON.parse(exportWriterKey(w1)).version).toBe(1);
  });
  it('a v1 user key imports without a writer key; re-exporting keeps it v1', () => {
    const u1 = importUserKey(asV1(exportUserKey(u), ['authorityKey', 'writerKey', 'certificate']));
    expect(u1.writerPublicKey).toBeNull();
    expect(u1.authorityKey).toBeNull();
    expect(JSON.parse(exportUserKey(u1)).version).toBe(1);
  });
  it('a v1 file with v2 fields is refused (unknown fields)', () => {
    const o = JSON.parse(exportUserKey(u));
    o.version = 1;
    expect(() => importUserKey(JSON.stringify(o))).toThrow(InvalidKey);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidPolicy } from '../errors.js';
import { createPolicy } from '../policy/policy.js';
import { createSchema } from '../policy/schema.js';
import { unwrapDataKey, wrapDataKey } from '../header/wrap.js';
import { toBase64url } from '../utils.js';
import { authorityFromMaster, createWriterKey, generateAuthority, issueUserKey, rotateEpoch, withEpoch } from './authority.js';
import { authorityInfo, userKeyInfo, writerKeyInfo } from './info.js';
import { masterOf, userSecrets, writerSecrets } from './keys.js';

const MASTER = Uint8Array.from({ length: 32 }, (_, i) => i);
const DK = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);

describe('authority', () => {
  it('has a stable public id derived from its master, a schema and an epoch', () => {
    const a = authorityFromMaster(MASTER);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(authorityFromMaster(MASTER).id).toBe(a.id);
    expect(generateAuthority().id).not.toBe(a.id);
    expect(a.epoch).toBe(1);
    expect(a.schema.dimensions).toEqual(['role', 'group', 'department']);
    expect(authorityFromMaster(MASTER, { schema: ['team'], epoch: 7 }).schema.dimensions).toEqual(['team']);
  });

  it('rotates epochs without changing identity, and never issues keys for a future epoch', () => {
    const a = authorityFromMaster(MASTER);
    const b = rotateEpoch(rotateEpoch(a));
    expect(b.epoch).toBe(3);
    expect(b.id).toBe(a.id);
    expect(a.epoch).toBe(1);
    expect(createWriterKey(b, { epoch: 2 }).epoch).toBe(2);
    expect(() => createWriterKey(a, { epoch: 2 })).toThrow(RangeError);
    expect(() => issueUserKey(a, {}, { epoch: 0 })).toThrow(RangeError);
    expect(() => withEpoch(a, 2 ** 32)).toThrow(RangeError);
  });

  it('derives different secrets per epoch and per tenant', () => {
    const a = rotateEpoch(authorityFromMaster(MASTER));
    const s = (w: ReturnType<typeof createWriterKey>) => toBase64url(writerSecrets(w).epochSecret);
    const e1 = s(createWriterKey(a, { epoch: 1 }));
    const e2 = s(createWriterKey(a, { epoch: 2 }));
    const t2 = s(createWriterKey(a, { epoch: 2, tenant: 'acme' }));
    expect(new Set([e1, e2, t2]).size).toBe(3);
    // ...while the blind-index root depends on the tenant only (tokens survive rotation).
    const r = (w: ReturnType<typeof createWriterKey>) => toBase64url(writerSecrets(w).blindIndexRoot);
    expect(r(createWriterKey(a, { epoch: 1 }))).toBe(r(createWriterKey(a, { epoch: 2 })));
    expect(r(createWriterKey(a, { tenant: 'acme' }))).not.toBe(r(createWriterKey(a)));
  });

  it('issues user keys holding one key per matched tuple, equal to the writer-derived tuple keys', () => {
    const a = authorityFromMaster(MASTER);
    const u = issueUserKey(a, { role: ['admin', 'hr'], group: ['g'] }, { blindIndexFields: ['status'] });
    expect(u.tuples).toHaveLength(3 * 2 * 1);
    expect(u.blindIndexFields).toEqual(['status']);
    const w = createWriterKey(a);
    // A record for (admin, g, *) opens with the user key: the two sides derive the same tuple key.
    const p = createPolicy(a.schema, { role: ['admin'], group: ['g'] });
    const h = wrapDataKey(DK, p, w, { recordId: 'r' });
    expect(unwrapDataKey(h, { recordId: 'r' }, u)).toEqual(DK);
    expect(() => issueUserKey(a, { team: ['x'] })).toThrow(InvalidPolicy);
    expect(() => issueUserKey(a, {}, { blindIndexFields: ['a.b'] })).toThrow(RangeError);
    expect(() => issueUserKey(a, {}, { blindIndexFields: ['a', 'a'] })).toThrow(RangeError);
    expect(() => issueUserKey(a, { role: ['x'] } as never, { tenant: 5 as never })).toThrow(TypeError);
    const other = createSchema(['team']);
    expect(() => issueUserKey(a, { schema: other, values: [[]] } as never)).toThrow(RangeError);
  });
});

describe('secrets stay out of sight', () => {
  it('JSON.stringify, String() and info views show no secret', () => {
    const a = authorityFromMaster(MASTER);
    const w = createWriterKey(a, { tenant: 't' });
    const u = issueUserKey(a, { role: ['admin'] }, { tenant: 't', blindIndexFields: ['f'] });
    const secrets = [
      toBase64url(masterOf(a)),
      toBase64url(writerSecrets(w).epochSecret),
      toBase64url(writerSecrets(w).blindIndexRoot),
      ...userSecrets(u).tupleKeys.map(toBase64url),
      ...[...userSecrets(u).fields.values()].map(toBase64url),
    ];
    const shown = [
      JSON.stringify(a),
      JSON.stringify(w),
      JSON.stringify(u),
      String(a),
      String(w),
      String(u),
      JSON.stringify(authorityInfo(a)),
      JSON.stringify(writerKeyInfo(w)),
      JSON.stringify(userKeyInfo(u)),
      JSON.stringify(Object.entries(a)),
      JSON.stringify(Object.entries(u)),
    ].join('\n');
    for (const s of secrets) expect(shown).not.toContain(s);
    const writerPub = toBase64url(w.publicKey);
    expect(userKeyInfo(u)).toEqual({
      type: 'sealvec/user-key',
      version: 2,
      authority: a.id,
      schema: ['role', 'group', 'department'],
      tenant: 't',
      epoch: 1,
      attributes: { role: ['admin'], group: [], department: [] },
      tuples: 2,
      blindIndexFields: ['f'],
      writerKey: writerPub,
    });
    const pub = toBase64url(a.publicKey.publicKey);
    expect(authorityInfo(a)).toEqual({ type: 'sealvec/authority', version: 1, id: a.id, schema: ['role', 'group', 'department'], epoch: 1, publicKey: pub });
    expect(writerKeyInfo(w)).toEqual({
      type: 'sealvec/writer-key',
      version: 2,
      authority: a.id,
      schema: ['role', 'group', 'department'],
      tenant: 't',
      epoch: 1,
      certified: true,
      publicKey: writerPub,
    });
  });

  it('keys are immutable', () => {
    const a = authorityFromMaster(MASTER);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(issueUserKey(a, {}))).toBe(true);
    expect(Object.isFrozen(createWriterKey(a))).toBe(true);
  });
});

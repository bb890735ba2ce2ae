import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns, policyArb, schemaArb } from '../__tests__/arbitraries.js';
import { InvalidPolicy, Malformed } from '../errors.js';
import { MAX_VALUES_PER_DIMENSION } from '../format/constants.js';
import { lengthPrefixed } from '../utils.js';
import { canonicalPolicyString, createAttributes, createPolicy, decodePolicy, encodePolicy, policiesEqual, policyToJSON } from './policy.js';
import { DEFAULT_SCHEMA, createSchema } from './schema.js';

describe('createPolicy', () => {
  it('builds the canonical form: every dimension, sorted, de-duplicated, NFC', () => {
    const p = createPolicy(DEFAULT_SCHEMA, { roles: ['hr_manager', 'admin', 'admin'], departments: ['Cafe\u0301'] });
    expect(policyToJSON(p)).toEqual({ role: ['admin', 'hr_manager'], group: ['*'], department: ['Caf\u00e9'] });
    expect(canonicalPolicyString(p)).toBe('{"role":["admin","hr_manager"],"group":["*"],"department":["Café"]}');
    expect(Object.isFrozen(p) && Object.isFrozen(p.allowed) && Object.isFrozen(p.allowed[0])).toBe(true);
  });

  it('treats a single string as a one-value list and missing dimensions as any', () => {
    const a = createPolicy(DEFAULT_SCHEMA, { role: 'admin' });
    const b = createPolicy(DEFAULT_SCHEMA, { role: ['admin'], group: ['*'], department: undefined });
    expect(policiesEqual(a, b)).toBe(true);
  });

  it('rejects unknown dimensions, name+plural twice, non-lists, bad values and too many values', () => {
    const bad: unknown[] = [
      { team: ['x'] },
      { role: ['a'], roles: ['b'] },
      { role: 5 },
      { role: [''] },
      { role: [] }, // "any" must be said (issue #9, finding 7): an empty list is refused
      { role: ['*', 'admin'] },
      { role: '*' },
      { role: Array.from({ length: MAX_VALUES_PER_DIMENSION + 1 }, (_, i) => `v${i}`) },
      null,
      ['role'],
      'role=admin',
    ];
    for (const spec of bad) expect(() => createPolicy(DEFAULT_SCHEMA, spec as never), JSON.stringify(spec)).toThrow(InvalidPolicy);
    expect(() => createAttributes(DEFAULT_SCHEMA, { role: ['*'] })).toThrow(InvalidPolicy);
  });

  it('["*"] allows any value, like leaving the dimension out; attributes may hold no value', () => {
    expect(policiesEqual(createPolicy(DEFAULT_SCHEMA, { role: ['*'], group: ['g'] }), createPolicy(DEFAULT_SCHEMA, { group: ['g'] }))).toBe(true);
    expect(createAttributes(DEFAULT_SCHEMA, { role: [] }).values[0]).toEqual([]);
  });
});

describe('policy encoding', () => {
  it('round-trips exactly and is injective', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(policyArb(s), policyArb(s))),
        ([p, q]) => {
          expect(policiesEqual(decodePolicy(p.schema, encodePolicy(p)), p)).toBe(true);
          const same = canonicalPolicyString(p) === canonicalPolicyString(q);
          const e1 = encodePolicy(p);
          const e2 = encodePolicy(q);
          expect(e1.length === e2.length && e1.every((b, i) => b === e2[i])).toBe(same);
        },
      ),
      { numRuns: numRuns(100) },
    );
  });

  it('decoding rejects another schema, truncation, trailing bytes and non-canonical encodings', () => {
    const p = createPolicy(DEFAULT_SCHEMA, { role: ['a', 'b'] });
    const e = encodePolicy(p);
    expect(() => decodePolicy(createSchema(['role', 'group']), e)).toThrow(Malformed);
    for (let n = 0; n < e.length; n++) expect(() => decodePolicy(DEFAULT_SCHEMA, e.subarray(0, n))).toThrow(Malformed);
    expect(() => decodePolicy(DEFAULT_SCHEMA, new Uint8Array([...e, 0, 0, 0, 0]))).toThrow(Malformed);
    const fields = (role: string[], count = String(role.length)) =>
      lengthPrefixed('sealvec/policy', '1', 'role', count, ...role, 'group', '0', 'department', '0');
    expect(decodePolicy(DEFAULT_SCHEMA, fields(['a', 'b'])).allowed[0]).toEqual(['a', 'b']);
    expect(() => decodePolicy(DEFAULT_SCHEMA, fields(['b', 'a']))).toThrow(Malformed); // unsorted
    expect(() => decodePolicy(DEFAULT_SCHEMA, fields(['a', 'a']))).toThrow(Malformed); // duplicate
    expect(() => decodePolicy(DEFAULT_SCHEMA, fields(['Cafe\u0301']))).toThrow(Malformed); // not NFC
    expect(() => decodePolicy(DEFAULT_SCHEMA, fields(['a'], '01'))).toThrow(Malformed); // count spelling
    expect(() => decodePolicy(DEFAULT_SCHEMA, fields(['a'], '2'))).toThrow(Malformed); // count too high
    expect(() => decodePolicy(DEFAULT_SCHEMA, fields(['*']))).toThrow(Malformed); // invalid value
    expect(() => decodePolicy(DEFAULT_SCHEMA, lengthPrefixed('sealvec/policy', '2'))).toThrow(Malformed);
  });

  it('decoding random bytes gives only Malformed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          decodePolicy(DEFAULT_SCHEMA, b);
        } catch (e) {
          expect(e).toBeInstanceOf(Malformed);
        }
      }),
      { numRuns: numRuns(200) },
    );
  });
});

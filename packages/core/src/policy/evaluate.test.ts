import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributesArb, numRuns, policyArb, schemaArb } from '../__tests__/arbitraries.js';
import { InputTooLarge, InvalidPolicy } from '../errors.js';
import { MAX_POLICY_TUPLES, MAX_USER_TUPLES } from '../format/constants.js';
import { evaluate } from './evaluate.js';
import { createAttributes, createPolicy } from './policy.js';
import { createSchema, DEFAULT_SCHEMA } from './schema.js';
import { encodeTuple, policyTupleCount, policyTuples, tupleId, userTupleCount, userTuples } from './tuples.js';

const S = DEFAULT_SCHEMA;

describe('evaluate', () => {
  it('is OR within a dimension and AND across dimensions; empty means any', () => {
    const p = createPolicy(S, { roles: ['hr_manager', 'admin'], groups: ['team_hr'], departments: ['human_resources'] });
    const user = (spec: Record<string, string[]>) => createAttributes(S, spec);
    expect(evaluate(user({ role: ['admin'], group: ['team_hr'], department: ['human_resources'] }), p)).toBe(true);
    expect(evaluate(user({ role: ['hr_manager', 'x'], group: ['team_hr', 'y'], department: ['human_resources'] }), p)).toBe(true);
    expect(evaluate(user({ role: ['admin'], group: ['team_hr'] }), p)).toBe(false);
    expect(evaluate(user({ role: ['intern'], group: ['team_hr'], department: ['human_resources'] }), p)).toBe(false);
    expect(evaluate(user({}), createPolicy(S, {}))).toBe(true);
    expect(evaluate(user({ group: ['g'] }), createPolicy(S, { group: ['g'] }))).toBe(true);
  });

  it('refuses to compare across schemas', () => {
    expect(() => evaluate(createAttributes(createSchema(['role']), {}), createPolicy(S, {}))).toThrow(InvalidPolicy);
  });
});

describe('tuples', () => {
  it('a user holds a tuple of the policy exactly when evaluate allows (the basis of tuple keys)', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(policyArb(s), attributesArb(s))),
        ([p, a]) => {
          const held = new Set(userTuples(a).map(tupleId));
          const meets = policyTuples(p).filter((t) => held.has(tupleId(t)));
          expect(meets.length > 0).toBe(evaluate(a, p));
          expect(policyTuples(p)).toHaveLength(policyTupleCount(p));
          expect(userTuples(a)).toHaveLength(userTupleCount(a));
        },
      ),
      { numRuns: numRuns(200) },
    );
  });

  it('counts and enumerates canonically', () => {
    const p = createPolicy(S, { role: ['a', 'b'], department: ['d'] });
    expect(policyTuples(p)).toEqual([
      ['a', '*', 'd'],
      ['b', '*', 'd'],
    ]);
    const a = createAttributes(S, { role: ['a'] });
    expect(userTuples(a)).toEqual([
      ['*', '*', '*'],
      ['a', '*', '*'],
    ]);
  });

  it('encodes tuples injectively, with the schema', () => {
    const e = (s: typeof S, t: string[]) => Array.from(encodeTuple(s, t)).join();
    expect(e(S, ['a', '*', 'd'])).not.toBe(e(S, ['a', 'd', '*']));
    expect(e(S, ['a', '*', '*'])).not.toBe(e(createSchema(['role', 'group', 'site']), ['a', '*', '*']));
  });

  it('caps tuples per policy and per user with InputTooLarge', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    expect(() => policyTuples(createPolicy(S, { role: many(17), group: many(16) }))).toThrow(InputTooLarge);
    expect(policyTuples(createPolicy(S, { role: many(16), group: many(16) }))).toHaveLength(MAX_POLICY_TUPLES);
    expect(() => userTuples(createAttributes(S, { role: many(63), group: many(64) }))).toThrow(InputTooLarge);
    expect(userTuples(createAttributes(S, { role: many(63), group: many(63) }))).toHaveLength(MAX_USER_TUPLES);
  });
});

/** fast-check generators shared by the policy, header and record tests (test-only). */
import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { createAttributes, createPolicy, type Policy, type UserAttributes } from '../policy/policy.js';
import { createSchema, type PolicySchema } from '../policy/schema.js';

const NAMES = ['role', 'group', 'department', 'site', 'level'];
/** Few values per dimension, so random users and policies match often enough to test both ways. */
export const POOL = ['a', 'b', 'c', 'Émile', '管理'];

export const numRuns = (small: number): number => (process.env.SLOW ? 1000 : small);

export const schemaArb: fc.Arbitrary<PolicySchema> = fc
  .shuffledSubarray(NAMES, { minLength: 1, maxLength: 3 })
  .map((dims) => createSchema(dims));

const listArb = fc.subarray(POOL, { minLength: 0, maxLength: 3 });

/** Random policies; an empty draw leaves the dimension out (any value), as a caller would. */
export function policyArb(schema: PolicySchema): fc.Arbitrary<Policy> {
  return fc.tuple(...schema.dimensions.map(() => listArb)).map((lists) => {
    const spec: Record<string, string[]> = {};
    schema.dimensions.forEach((d, i) => {
      if ((lists[i] as string[]).length > 0) spec[d] = lists[i] as string[];
    });
    return createPolicy(schema, spec);
  });
}

export function attributesArb(schema: PolicySchema): fc.Arbitrary<UserAttributes> {
  return fc.tuple(...schema.dimensions.map(() => listArb)).map((lists) => {
    const spec: Record<string, string[]> = {};
    schema.dimensions.forEach((d, i) => (spec[d] = lists[i] as string[]));
    return createAttributes(schema, spec);
  });
}

/** A schema with some policies and some users over it. */
export function worldArb(policies: { min: number; max: number }, users: { min: number; max: number }) {
  return schemaArb.chain((schema) =>
    fc.record({
      schema: fc.constant(schema),
      policies: fc.array(policyArb(schema), { minLength: policies.min, maxLength: policies.max }),
      users: fc.array(attributesArb(schema), { minLength: users.min, maxLength: users.max }),
    }),
  );
}

/**
 * A deterministic "random" source for tests and known-answer vectors: call i returns the ChaCha20
 * keystream under key SHA-256(seed) and nonce = i (big-endian). NOT random; test use only.
 */
export function seededRandom(seed: string): (n: number) => Uint8Array {
  const key = sha256(new TextEncoder().encode(seed));
  let call = 0;
  return (n) => {
    const nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setUint32(8, call++, false);
    return chacha20(key, nonce, new Uint8Array(n));
  };
}

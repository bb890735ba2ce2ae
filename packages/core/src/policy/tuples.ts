/**
 * Tuples: one value (or `*`, unconstrained) per dimension. They are the unit of key material
 * (Covercrypt-style tuple keys): a policy allows a set of tuples, a user key holds the keys of
 * every tuple its attributes match, and a user can open a record exactly when the two sets meet.
 *
 *   policy tuples: product over dimensions of (the listed values, or just `*` when none)
 *   user tuples:   product over dimensions of (the values held, plus `*`)
 *
 * A policy tuple t and a user tuple u are equal iff, per dimension, the policy lists nothing
 * (t = u = `*`) or lists a value the user holds (t = u = that value): precisely `evaluate`.
 */
import { lp } from '../format/lp.js';
import { InputTooLarge } from '../errors.js';
import { MAX_POLICY_TUPLES, MAX_USER_TUPLES, WILDCARD } from '../format/constants.js';

import type { Policy, UserAttributes } from './policy.js';
import type { PolicySchema } from './schema.js';

/** Values aligned with `schema.dimensions`; `*` means unconstrained. */
export type Tuple = readonly string[];

/** Number of tuples a policy allows: product of max(1, listed values). */
export function policyTupleCount(policy: Policy): number {
  let n = 1;
  for (const l of policy.allowed) n *= Math.max(1, l.length);
  return n;
}

/** Number of tuples a user holds: product of (values held + 1). */
export function userTupleCount(attributes: UserAttributes): number {
  let n = 1;
  for (const l of attributes.values) n *= l.length + 1;
  return n;
}

/** The tuples a policy allows, in canonical (lexicographic, schema-order) order. */
export function policyTuples(policy: Policy): Tuple[] {
  const n = policyTupleCount(policy);
  if (n > MAX_POLICY_TUPLES) {
    throw new InputTooLarge(`the policy allows ${n} tuples, above the header cap of ${MAX_POLICY_TUPLES}`);
  }
  return product(policy.allowed.map((l) => (l.length === 0 ? [WILDCARD] : l)));
}

/** The tuples a user's attributes match, in canonical order (`*` first in each dimension). */
export function userTuples(attributes: UserAttributes): Tuple[] {
  const n = userTupleCount(attributes);
  if (n > MAX_USER_TUPLES) {
    throw new InputTooLarge(`the attributes match ${n} tuples, above the user-key cap of ${MAX_USER_TUPLES}`);
  }
  return product(attributes.values.map((l) => [WILDCARD, ...l]));
}

function product(choices: readonly (readonly string[])[]): Tuple[] {
  let acc: string[][] = [[]];
  for (const c of choices) {
    const next: string[][] = [];
    for (const prefix of acc) for (const v of c) next.push([...prefix, v]);
    acc = next;
  }
  return acc.map((t) => Object.freeze(t));
}

/** Canonical bytes of a tuple: lp("sealvec/tuple", dim1, value1, dim2, value2, ...). */
export function encodeTuple(schema: PolicySchema, tuple: Tuple): Uint8Array {
  const fields: string[] = ['sealvec/tuple'];
  schema.dimensions.forEach((d, i) => fields.push(d, tuple[i] ?? WILDCARD));
  return lp(...fields);
}

/** A string key for maps: injective on tuples (JSON of a string array). */
export function tupleId(tuple: Tuple): string {
  return JSON.stringify(tuple);
}

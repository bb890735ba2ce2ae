/**
 * The plain reference check: does a user with these attributes satisfy this policy?
 * Deliberately the obvious loop, with no cryptography: the key-wrapping code is tested against it.
 */
import { InvalidPolicy } from '../errors.js';
import type { Policy, UserAttributes } from './policy.js';
import { sameSchema } from './schema.js';

export function evaluate(attributes: UserAttributes, policy: Policy): boolean {
  if (!sameSchema(attributes.schema, policy.schema)) {
    throw new InvalidPolicy('attributes and policy use different schemas');
  }
  return policy.allowed.every((allowed, i) => {
    if (allowed.length === 0) return true;
    const held = attributes.values[i] ?? [];
    return allowed.some((v) => held.includes(v));
  });
}

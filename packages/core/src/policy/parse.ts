/**
 * Reading policies and attributes from JSON and from CLI-style strings, and printing them back.
 *
 * CLI syntax (white space around tokens is ignored):
 *   policy     := "*" | clause (";" clause)*
 *   clause     := dimension "=" ("*" | value ("," value)*)
 *   attributes := "" | clause (";" clause)*        (no "*": a user holds values, not "any")
 * `dimension` is a schema name or its plural. A dimension that is absent or given as `*` is
 * unconstrained. The empty string is not a policy (an open policy must be written `*`), so a
 * missing argument can never silently make a record readable by every key holder.
 * Values cannot contain `,` `;` `=` (see values.ts), so `formatPolicy` output always parses back
 * to the same policy.
 */
import { InvalidPolicy } from '../errors.js';
import { MAX_POLICY_TEXT_LENGTH, WILDCARD } from '../format/constants.js';
import { attributesToJSON, createAttributes, createPolicy, policyToJSON, type Policy, type UserAttributes } from './policy.js';
import { dimensionIndex, type PolicySchema } from './schema.js';

function checkText(text: unknown, what: string): string {
  if (typeof text !== 'string') throw new InvalidPolicy(`${what} must be a string`);
  if (text.length > MAX_POLICY_TEXT_LENGTH) {
    throw new InvalidPolicy(`${what} is ${text.length} characters long, above ${MAX_POLICY_TEXT_LENGTH}`);
  }
  return text;
}

function parseJSONObject(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidPolicy(`${what} is not valid JSON`);
  }
}

/** A policy from JSON text or an already-parsed object: `{"roles": ["admin"], "group": []}`. */
export function parsePolicyJSON(schema: PolicySchema, input: unknown): Policy {
  const value = typeof input === 'string' ? parseJSONObject(checkText(input, 'policy'), 'policy') : input;
  return createPolicy(schema, value as Record<string, string[]>);
}

export function parseAttributesJSON(schema: PolicySchema, input: unknown): UserAttributes {
  const value = typeof input === 'string' ? parseJSONObject(checkText(input, 'attributes'), 'attributes') : input;
  return createAttributes(schema, value as Record<string, string[]>);
}

function parseClauses(schema: PolicySchema, text: string, what: string, allowWildcard: boolean): Record<string, string[]> {
  const spec: Record<string, string[]> = {};
  const seen = new Set<number>();
  for (const clause of text.split(';')) {
    const eq = clause.indexOf('=');
    if (eq < 0) throw new InvalidPolicy(`${what}: clause ${JSON.stringify(clause.trim())} needs the form dimension=value,value`);
    const key = clause.slice(0, eq).trim();
    const i = dimensionIndex(schema, key);
    if (i < 0) throw new InvalidPolicy(`${what}: unknown dimension ${JSON.stringify(key)} (schema: ${schema.dimensions.join(', ')})`);
    if (seen.has(i)) throw new InvalidPolicy(`${what}: dimension "${schema.dimensions[i]}" given twice`);
    seen.add(i);
    const rhs = clause.slice(eq + 1).trim();
    if (rhs === WILDCARD) {
      if (!allowWildcard) throw new InvalidPolicy(`${what}: "*" is not an attribute value`);
      continue;
    }
    spec[schema.dimensions[i] as string] = rhs.split(',').map((v) => v.trim());
  }
  return spec;
}

/** A policy from the CLI syntax, e.g. `role=hr_manager,admin; group=team_hr`. */
export function parsePolicyString(schema: PolicySchema, text: unknown): Policy {
  const t = checkText(text, 'policy').trim();
  if (t === '') throw new InvalidPolicy('policy is empty (write "*" for a policy open to every key holder)');
  if (t === WILDCARD) return createPolicy(schema, {});
  return createPolicy(schema, parseClauses(schema, t, 'policy', true));
}

/** Attributes from the CLI syntax, e.g. `role=admin; group=team_hr`; "" holds no values. */
export function parseAttributesString(schema: PolicySchema, text: unknown): UserAttributes {
  const t = checkText(text, 'attributes').trim();
  if (t === '') return createAttributes(schema, {});
  return createAttributes(schema, parseClauses(schema, t, 'attributes', false));
}

/** JSON when the text starts with `{`, else the CLI syntax. */
export function parsePolicy(schema: PolicySchema, text: unknown): Policy {
  const t = checkText(text, 'policy');
  return t.trimStart().startsWith('{') ? parsePolicyJSON(schema, t) : parsePolicyString(schema, t);
}

export function parseAttributes(schema: PolicySchema, text: unknown): UserAttributes {
  const t = checkText(text, 'attributes');
  return t.trimStart().startsWith('{') ? parseAttributesJSON(schema, t) : parseAttributesString(schema, t);
}

/** The CLI form of a policy (constrained dimensions only, or `*`). Parses back to `policy`. */
export function formatPolicy(policy: Policy): string {
  const parts = Object.entries(policyToJSON(policy))
    .filter(([, v]) => !(v.length === 1 && v[0] === WILDCARD))
    .map(([d, v]) => `${d}=${v.join(',')}`);
  return parts.length === 0 ? WILDCARD : parts.join(';');
}

/** The CLI form of attributes (dimensions with values only, or ""). */
export function formatAttributes(attributes: UserAttributes): string {
  return Object.entries(attributesToJSON(attributes))
    .filter(([, v]) => v.length > 0)
    .map(([d, v]) => `${d}=${v.join(',')}`)
    .join(';');
}

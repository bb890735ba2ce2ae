/**
 * Policies and user attributes over a schema, in canonical form.
 *
 * A policy lists, per dimension, the values allowed; a dimension left out (or given as ["*"])
 * allows any value, and an explicitly empty list is refused. Internally an empty list means any
 * value. A record is
 * open to a user when, in every dimension, the list is empty or the user holds one of its values
 * (OR within a dimension, AND across dimensions). User attributes list, per dimension, the values
 * a user holds (possibly none).
 *
 * Both are stored as frozen arrays aligned with `schema.dimensions`, each normalized, without
 * duplicates and sorted by UTF-8 bytes, so two equal policies are identical objects field by field
 * and have one canonical encoding.
 */
import { InvalidPolicy, Malformed } from '../errors.js';
import { MAX_VALUES_PER_DIMENSION, POLICY_ENCODING_VERSION, WILDCARD } from '../format/constants.js';
import { fromUtf8, lengthPrefixed } from '../utils.js';
import { dimensionIndex, type PolicySchema } from './schema.js';
import { canonicalValues } from './values.js';

export interface Policy {
  readonly schema: PolicySchema;
  /** One sorted list per schema dimension; empty = any value. */
  readonly allowed: readonly (readonly string[])[];
}

export interface UserAttributes {
  readonly schema: PolicySchema;
  /** One sorted list per schema dimension: the values the user holds (possibly none). */
  readonly values: readonly (readonly string[])[];
}

/** What callers write: `{ role: ['admin'], groups: ['team_hr'] }` (name or plural; missing = none/any). */
export type DimensionMap = Readonly<Record<string, readonly string[] | string | undefined>>;

function fromMap(schema: PolicySchema, spec: unknown, what: 'policy' | 'attributes'): string[][] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new InvalidPolicy(`${what} must be an object mapping dimensions to lists of values`);
  }
  const out: (string[] | undefined)[] = schema.dimensions.map(() => undefined);
  for (const [key, raw] of Object.entries(spec as Record<string, unknown>)) {
    if (raw === undefined) continue;
    const i = dimensionIndex(schema, key);
    if (i < 0) {
      throw new InvalidPolicy(`${what} names unknown dimension ${JSON.stringify(key)} (schema: ${schema.dimensions.join(', ')})`);
    }
    const dim = schema.dimensions[i] as string;
    if (out[i] !== undefined) throw new InvalidPolicy(`${what} gives dimension "${dim}" twice (name and plural)`);
    const list = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(list)) throw new InvalidPolicy(`${what}.${key} must be a list of strings`);
    if (what === 'policy') {
      // "Any value" must be said: an empty list could be a bug upstream (a list that came back
      // empty), and reading it as "open to everyone" is the unsafe guess. The CLI refuses an
      // empty policy string for the same reason.
      if (list.length === 0) {
        throw new InvalidPolicy(`policy.${key} is an empty list: list the allowed values, or write ["${WILDCARD}"] (or leave the dimension out) to allow any`);
      }
      if (Array.isArray(raw) && list.length === 1 && list[0] === WILDCARD) {
        out[i] = [];
        continue;
      }
    }
    if (list.length > MAX_VALUES_PER_DIMENSION) {
      throw new InvalidPolicy(`${what}.${key} lists ${list.length} values, above ${MAX_VALUES_PER_DIMENSION}`);
    }
    out[i] = canonicalValues(list, `${what}.${dim}`);
  }
  return out.map((v) => v ?? []);
}

function freezeLists(lists: string[][]): readonly (readonly string[])[] {
  return Object.freeze(lists.map((l) => Object.freeze(l)));
}

/** Builds a canonical policy. Throws InvalidPolicy for unknown dimensions or bad values. */
export function createPolicy(schema: PolicySchema, spec: DimensionMap): Policy {
  return Object.freeze({ schema, allowed: freezeLists(fromMap(schema, spec, 'policy')) });
}

/** Builds canonical user attributes. Throws InvalidPolicy for unknown dimensions or bad values. */
export function createAttributes(schema: PolicySchema, spec: DimensionMap): UserAttributes {
  return Object.freeze({ schema, values: freezeLists(fromMap(schema, spec, 'attributes')) });
}

/**
 * `{ role: [...], group: [...], department: [...] }`, every dimension present, canonical order;
 * an unconstrained dimension is `["*"]`, so the output always parses back to the same policy.
 */
export function policyToJSON(policy: Policy): Record<string, string[]> {
  const o = toMap(policy.schema, policy.allowed);
  for (const d of Object.keys(o)) if (o[d]!.length === 0) o[d] = [WILDCARD];
  return o;
}

export function attributesToJSON(attributes: UserAttributes): Record<string, string[]> {
  return toMap(attributes.schema, attributes.values);
}

function toMap(schema: PolicySchema, lists: readonly (readonly string[])[]): Record<string, string[]> {
  const o: Record<string, string[]> = {};
  schema.dimensions.forEach((d, i) => {
    o[d] = (lists[i] ?? []).slice();
  });
  return o;
}

/** One canonical text form: JSON with every dimension in schema order and sorted values. */
export function canonicalPolicyString(policy: Policy): string {
  return JSON.stringify(policyToJSON(policy));
}

export function policiesEqual(a: Policy, b: Policy): boolean {
  return canonicalPolicyString(a) === canonicalPolicyString(b) && a.schema.dimensions.join() === b.schema.dimensions.join();
}

/**
 * The canonical binary encoding (inside the header's escrow, encrypted):
 *   lp("sealvec/policy", version, then per dimension: name, count, values...)
 * Counts make the field list parse one way only; the schema's dimension names are included so a
 * policy never decodes under another schema.
 */
export function encodePolicy(policy: Policy): Uint8Array {
  const fields: string[] = ['sealvec/policy', String(POLICY_ENCODING_VERSION)];
  policy.schema.dimensions.forEach((d, i) => {
    const vals = policy.allowed[i] ?? [];
    fields.push(d, String(vals.length), ...vals);
  });
  return lengthPrefixed(...fields);
}

/** Strict inverse of `encodePolicy` under `schema`; anything else is Malformed. */
export function decodePolicy(schema: PolicySchema, bytes: Uint8Array): Policy {
  const fields = splitLengthPrefixed(bytes, 2 + schema.dimensions.length * (2 + MAX_VALUES_PER_DIMENSION));
  let k = 0;
  const next = (): string => {
    const f = fields[k++];
    if (f === undefined) throw new Malformed('policy encoding ends early');
    return f;
  };
  if (next() !== 'sealvec/policy' || next() !== String(POLICY_ENCODING_VERSION)) {
    throw new Malformed('policy encoding has a bad prefix or version');
  }
  const spec: Record<string, string[]> = {};
  for (const d of schema.dimensions) {
    if (next() !== d) throw new Malformed('policy encoding does not match the schema');
    const countText = next();
    const count = Number(countText);
    if (!/^(0|[1-9][0-9]{0,3})$/.test(countText) || count > MAX_VALUES_PER_DIMENSION) {
      throw new Malformed('policy encoding has a bad value count');
    }
    const vals: string[] = [];
    for (let j = 0; j < count; j++) vals.push(next());
    if (vals.length > 0) spec[d] = vals; // count 0: the dimension allows any value
  }
  if (k !== fields.length) throw new Malformed('policy encoding has trailing fields');
  let policy: Policy;
  try {
    policy = createPolicy(schema, spec);
  } catch {
    throw new Malformed('policy encoding holds an invalid policy');
  }
  // Canonical means canonical: re-encoding must give the same bytes (sorted, NFC, no duplicates).
  const again = encodePolicy(policy);
  if (again.length !== bytes.length || !again.every((b, i) => b === bytes[i])) {
    throw new Malformed('policy encoding is not canonical');
  }
  return policy;
}

/** Splits a `lengthPrefixed` byte string into UTF-8 fields; at most `maxFields`. */
function splitLengthPrefixed(bytes: Uint8Array, maxFields: number): string[] {
  const out: string[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off < bytes.length) {
    if (out.length >= maxFields) throw new Malformed('policy encoding has too many fields');
    if (off + 4 > bytes.length) throw new Malformed('policy encoding has a truncated length');
    const len = dv.getUint32(off, false);
    off += 4;
    if (len > bytes.length - off) throw new Malformed('policy encoding has a field past its end');
    out.push(fromUtf8(bytes.subarray(off, off + len), 'policy field'));
    off += len;
  }
  return out;
}

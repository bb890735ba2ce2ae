/**
 * Attribute values: validated, NFC-normalized strings with one unambiguous encoding.
 *
 * Rules (each closes a way for two spellings to mean one value, or one spelling two values):
 * - a string, normalized to NFC, so a composed and a decomposed "é" are the same value;
 * - 1 to MAX_VALUE_BYTES UTF-8 bytes after normalization;
 * - no control, format (zero-width, bidi), separator or lone-surrogate code points, which are
 *   invisible or not representable in UTF-8;
 * - no leading or trailing white space;
 * - none of `,` `;` `=` (the separators of the CLI syntax), and not exactly `*` (the wildcard),
 *   so every policy prints as a CLI string that parses back to itself.
 * Values are case-sensitive: `Admin` and `admin` differ.
 */
import { InvalidPolicy } from '../errors.js';
import { MAX_VALUE_BYTES, WILDCARD } from '../format/constants.js';
import { utf8, utf8Length } from '../utils.js';

const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp},;=]/u;

/** Returns the canonical (NFC) form of `value`, or throws InvalidPolicy naming `what`. */
export function normalizeValue(value: unknown, what = 'value'): string {
  if (typeof value !== 'string') throw new InvalidPolicy(`${what} must be a string`);
  if (FORBIDDEN.test(value)) {
    throw new InvalidPolicy(`${what} contains a control, invisible, unassigned or reserved character (, ; =)`);
  }
  const v = value.normalize('NFC');
  if (v.length === 0) throw new InvalidPolicy(`${what} is empty`);
  if (v === WILDCARD) throw new InvalidPolicy(`${what} "*" is reserved for "any"`);
  if (v.trim() !== v) throw new InvalidPolicy(`${what} has leading or trailing white space`);
  const bytes = utf8Length(v);
  if (bytes > MAX_VALUE_BYTES) throw new InvalidPolicy(`${what} is ${bytes} bytes in UTF-8, above ${MAX_VALUE_BYTES}`);
  return v;
}

/** Byte-wise comparison of UTF-8 encodings: one order every language can reproduce. */
export function compareValues(a: string, b: string): number {
  if (a === b) return 0;
  const x = utf8(a);
  const y = utf8(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}

/** Normalizes, de-duplicates and sorts a list of values. */
export function canonicalValues(values: readonly unknown[], what: string): string[] {
  const set = new Set<string>();
  for (let i = 0; i < values.length; i++) set.add(normalizeValue(values[i], `${what}[${i}]`));
  return [...set].sort(compareValues);
}

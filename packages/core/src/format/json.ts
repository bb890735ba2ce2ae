/**
 * JSON values as the record layer accepts them: exactly what JSON can carry, nothing that
 * `JSON.stringify` would silently drop or change (undefined, functions, NaN, Infinity, -0 is kept
 * as 0 by JSON and is accepted), with bounded nesting. Pure: no crypto.
 */
import { Malformed } from '../errors.js';
import { isWellFormed } from '../utils.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Nesting depth of payload JSON (objects and arrays). */
export const MAX_JSON_DEPTH = 64;

/** Throws Malformed naming the path of the first value JSON cannot carry faithfully. */
export function checkJsonValue(value: unknown, path = 'payload', depth = 0): asserts value is JsonValue {
  if (typeof value === 'string') {
    // UTF-8 would turn a lone surrogate into U+FFFD: the opened payload would not be the sealed one.
    if (!isWellFormed(value)) throw new Malformed(`${path} is not well-formed Unicode (it has a lone surrogate)`);
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Malformed(`${path} is not a finite number`);
    return;
  }
  if (depth >= MAX_JSON_DEPTH) throw new Malformed(`${path} is nested deeper than ${MAX_JSON_DEPTH}`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJsonValue(value[i], `${path}[${i}]`, depth + 1);
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new Malformed(`${path} is not a plain object`);
    for (const [k, v] of Object.entries(value)) {
      if (!isWellFormed(k)) throw new Malformed(`${path} has a key that is not well-formed Unicode`);
      checkJsonValue(v, `${path}.${k}`, depth + 1);
    }
    return;
  }
  throw new Malformed(`${path} has type ${typeof value}, which JSON cannot carry`);
}

/**
 * Filter validation and evaluation with Qdrant's semantics (segment/src/payload_storage/
 * condition_checker.rs and query_checker.rs), for the subset of filters in ./types.ts.
 *
 * - `must`: all conditions hold (an empty list holds); `should`: at least one holds (an empty,
 *   present list never holds); `must_not`: none holds. A Filter can nest as a condition.
 * - A field's values: the key is a path of object keys joined by '.', a segment ending in `[]`
 *   walks into every element of an array; a final array is flattened one level. A condition on a
 *   field with no values (missing key, empty array) is false, including `except`.
 * - `match.value`: string equals string, integer equals an integral number, boolean equals
 *   boolean; never across types. `match.any`: all strings or all integers; an empty list matches
 *   nothing. `match.except`: true for a value of another type (a number under a string list, a
 *   boolean, an object), false for null, and for a same-typed value when it is not in the list.
 *
 * The checker rejects, with a TypeError naming the path, exactly what Qdrant's deserializer
 * rejects for these shapes: floats in a match, mixed-type or boolean `any`/`except` lists, a
 * condition with no recognizable shape.
 */
import type { Condition, FieldCondition, Filter, MatchValue, Payload } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type PointPredicate = (id: string, payload: Payload) => boolean;

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new TypeError(`"${at}" has unsupported key ${JSON.stringify(k)}`);
  }
}

function checkMatchValue(v: unknown, at: string): MatchValue {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  throw new TypeError(`"${at}" expected string, safe integer or boolean, got ${typeof v === 'number' ? v : kind(v)}`);
}

/** `any`/`except` lists are all strings or all integers (Qdrant's AnyVariants). */
function checkValueList(v: unknown, at: string): string[] | number[] {
  if (!Array.isArray(v)) throw new TypeError(`"${at}" expected array, got ${kind(v)}`);
  if (v.length === 0) return [];
  if (v.every((x) => typeof x === 'string')) return [...(v as string[])];
  if (v.every((x) => typeof x === 'number' && Number.isSafeInteger(x))) return [...(v as number[])];
  throw new TypeError(`"${at}" expected all strings or all safe integers`);
}

/** Key syntax: `a`, `a.b`, `a[].b`; anything else (indices, quoting) is not supported. */
function checkKey(key: unknown, at: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`"${at}" expected non-empty string, got ${kind(key)}`);
  for (const seg of key.split('.')) {
    const name = seg.endsWith('[]') ? seg.slice(0, -2) : seg;
    if (name.length === 0 || name.includes('[') || name.includes(']') || name.includes('"')) {
      throw new TypeError(`"${at}" has unsupported path syntax: ${JSON.stringify(key)}`);
    }
  }
  return key;
}

function checkCondition(c: unknown, at: string, depth: number): Condition {
  if (!isObject(c)) throw new TypeError(`"${at}" expected object, got ${kind(c)}`);
  if ('key' in c) {
    onlyKeys(c, ['key', 'match'], at);
    const key = checkKey(c['key'], `${at}.key`);
    const m = c['match'];
    if (!isObject(m)) throw new TypeError(`"${at}.match" expected object, got ${kind(m)}`);
    const keys = Object.keys(m);
    if (keys.length !== 1) throw new TypeError(`"${at}.match" expected exactly one of value, any, except`);
    if ('value' in m) return { key, match: { value: checkMatchValue(m['value'], `${at}.match.value`) } };
    if ('any' in m) return { key, match: { any: checkValueList(m['any'], `${at}.match.any`) } };
    if ('except' in m) return { key, match: { except: checkValueList(m['except'], `${at}.match.except`) } };
    throw new TypeError(`"${at}.match" has unsupported key ${JSON.stringify(keys[0])}`);
  }
  if ('has_id' in c) {
    onlyKeys(c, ['has_id'], at);
    const ids = c['has_id'];
    if (!Array.isArray(ids)) throw new TypeError(`"${at}.has_id" expected array, got ${kind(ids)}`);
    ids.forEach((id: unknown, i) => {
      if (typeof id !== 'string' || !UUID.test(id)) {
        throw new TypeError(`"${at}.has_id[${i}]" expected lowercase hyphenated UUID, got ${kind(id)}`);
      }
    });
    return { has_id: [...(ids as string[])] };
  }
  return checkFilterAt(c, at, depth + 1);
}

/** Deep nesting is either a bug or an attempt to exhaust the stack; Qdrant has no use for it. */
export const MAX_FILTER_DEPTH = 32;

function checkFilterAt(f: unknown, at: string, depth: number): Filter {
  if (!isObject(f)) throw new TypeError(`"${at}" expected object, got ${kind(f)}`);
  if (depth > MAX_FILTER_DEPTH) throw new RangeError(`"${at}" nests deeper than ${MAX_FILTER_DEPTH} levels`);
  onlyKeys(f, ['must', 'should', 'must_not'], at);
  const out: Filter = {};
  for (const clause of ['must', 'should', 'must_not'] as const) {
    const list = f[clause];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new TypeError(`"${at}.${clause}" expected array, got ${kind(list)}`);
    out[clause] = list.map((c: unknown, i) => checkCondition(c, `${at}.${clause}[${i}]`, depth));
  }
  return out;
}

/**
 * Validates `filter` and returns a copy holding only the known keys: the copy is what both
 * backends evaluate or send, so an extra property can never change meaning in one of them.
 */
export function checkFilter(filter: unknown, name = 'filter'): Filter {
  return checkFilterAt(filter, name, 0);
}

interface Segment {
  name: string;
  spread: boolean;
}

function parseKey(key: string): Segment[] {
  return key.split('.').map((seg) => (seg.endsWith('[]') ? { name: seg.slice(0, -2), spread: true } : { name: seg, spread: false }));
}

function collect(value: unknown, path: Segment[], i: number, out: unknown[]): void {
  if (i === path.length) {
    if (Array.isArray(value)) out.push(...(value as unknown[]));
    else if (value !== undefined) out.push(value);
    return;
  }
  if (!isObject(value)) return;
  const seg = path[i] as Segment;
  if (!Object.hasOwn(value, seg.name)) return;
  const next = value[seg.name];
  if (seg.spread) {
    if (Array.isArray(next)) for (const el of next) collect(el, path, i + 1, out);
    return;
  }
  collect(next, path, i + 1, out);
}

/** The values a condition on `key` sees in `payload` (see the module comment). */
export function fieldValues(payload: Payload, key: string): unknown[] {
  const out: unknown[] = [];
  collect(payload, parseKey(key), 0, out);
  return out;
}

type ValueCheck = (v: unknown) => boolean;

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function matcher(c: FieldCondition): ValueCheck {
  const m = c.match;
  if ('value' in m) {
    const want = m.value;
    if (typeof want === 'number') return (v) => isInteger(v) && v === want;
    return (v) => v === want;
  }
  if ('any' in m) {
    const list = m.any;
    if (list.length === 0) return () => false;
    const set = new Set<unknown>(list);
    if (typeof list[0] === 'string') return (v) => typeof v === 'string' && set.has(v);
    return (v) => isInteger(v) && set.has(v);
  }
  const list = m.except;
  const set = new Set<unknown>(list);
  const strings = list.length === 0 || typeof list[0] === 'string';
  return (v) => {
    if (v === null) return false;
    if (strings) return typeof v === 'string' ? !set.has(v) : true;
    if (typeof v === 'number') return Number.isInteger(v) ? !set.has(v) : true;
    return true;
  };
}

function compileCondition(c: Condition): PointPredicate {
  if ('key' in c) {
    const path = parseKey(c.key);
    const check = matcher(c);
    return (_id, payload) => {
      const values: unknown[] = [];
      collect(payload, path, 0, values);
      for (const v of values) {
        // An array inside the (already flattened) values is checked element by element.
        if (Array.isArray(v) ? v.some(check) : check(v)) return true;
      }
      return false;
    };
  }
  if ('has_id' in c) {
    const ids = new Set(c.has_id);
    return (id) => ids.has(id);
  }
  return compileFilter(c);
}

/** Compiles a checked filter into a predicate over (id, payload). */
export function compileFilter(filter: Filter): PointPredicate {
  const must = (filter.must ?? []).map(compileCondition);
  const should = filter.should?.map(compileCondition);
  const mustNot = (filter.must_not ?? []).map(compileCondition);
  return (id, payload) => {
    for (const p of must) if (!p(id, payload)) return false;
    for (const p of mustNot) if (p(id, payload)) return false;
    if (should !== undefined) {
      for (const p of should) if (p(id, payload)) return true;
      return false;
    }
    return true;
  };
}

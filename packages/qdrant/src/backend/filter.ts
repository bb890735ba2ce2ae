/**
 * Filter validation and evaluation with Qdrant's semantics (segment/src/payload_storage/
 * condition_checker.rs and query_checker.rs), for the subset of filters in ./types.ts.
 *
 * - `must`: all conditions hold (an empty list holds); `should`: at least one holds (an empty,
 *   present list never holds); `must_not`: none holds. A Filter can nest as a condition.
 * - A field's values: the key is a JSON path in Qdrant's syntax (segment/src/json_path/parse.rs):
 *   object keys joined by '.', each either raw (letters, digits, '_' and '-' only, as Rust's
 *   `char::is_alphanumeric`) or double-quoted (any characters but '"' and '\\'); `[]` walks into
 *   every element of an array, `[n]` into element n. A final array is flattened one level. A
 *   condition on a field with no values (missing key, empty array) is false, including `except`.
 *   Qdrant refuses any other key with 400 ("Invalid json path"), so we refuse it first; build keys
 *   from arbitrary field names with `payloadPath`.
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

/** A step of a JSON path: an object key, an array element, or every array element (`[]`). */
export type PathItem = { key: string } | { index: number } | { all: true };

/** Characters of a raw (unquoted) key: Rust's `char::is_alphanumeric`, '_' and '-'. */
const RAW_KEY = /^[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}_-]+$/u;
const RAW_KEY_PREFIX = /^[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}_-]+/u;

/**
 * Parses a key with Qdrant's grammar (lib/segment/src/json_path/parse.rs): a first key, then
 * `.key`, `."quoted key"`, `[n]` or `[]` items. Null when Qdrant would refuse it.
 */
export function parsePath(path: string): PathItem[] | null {
  const items: PathItem[] = [];
  let rest = path;
  const key = (): boolean => {
    if (rest.startsWith('"')) {
      const end = rest.indexOf('"', 1);
      if (end < 0) return false;
      const k = rest.slice(1, end);
      if (k.includes('\\')) return false;
      items.push({ key: k });
      rest = rest.slice(end + 1);
      return true;
    }
    const m = RAW_KEY_PREFIX.exec(rest);
    if (m === null) return false;
    items.push({ key: m[0] });
    rest = rest.slice(m[0].length);
    return true;
  };
  if (!key()) return null;
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      if (!key()) return null;
    } else if (rest.startsWith('[]')) {
      items.push({ all: true });
      rest = rest.slice(2);
    } else {
      const m = /^\[(\d+)\]/.exec(rest);
      if (m === null) return null;
      const n = Number(m[1]);
      if (!Number.isSafeInteger(n)) return null;
      items.push({ index: n });
      rest = rest.slice(m[0].length);
    }
  }
  return items;
}

/** Whether an object key must be double-quoted in a path (Qdrant's `key_needs_quoting`). */
export function keyNeedsQuoting(key: string): boolean {
  return !RAW_KEY.test(key);
}

/** A path as Qdrant prints it (its Display): keys quoted only where needed. Two keys name the same field iff this agrees. */
export function formatPath(items: readonly PathItem[]): string {
  return items
    .map((it, i) => {
      if ('key' in it) return `${i === 0 ? '' : '.'}${keyNeedsQuoting(it.key) ? `"${it.key}"` : it.key}`;
      return 'index' in it ? `[${it.index}]` : '[]';
    })
    .join('');
}

/** The canonical spelling of a valid key (see `formatPath`); throws TypeError for an invalid one. */
export function canonicalPath(path: string, what = 'key'): string {
  const items = parsePath(path);
  if (items === null) throw new TypeError(`"${what}" is not a valid payload path: ${JSON.stringify(path)}`);
  return formatPath(items);
}

/**
 * A path through nested object keys, quoting each key that needs it: `payloadPath('bi', 'my
 * field')` is `bi."my field"`. A key holding '"' or '\\' cannot be written in Qdrant's syntax at
 * all: RangeError.
 */
export function payloadPath(...keys: string[]): string {
  if (keys.length === 0) throw new RangeError('"keys" expected at least one key');
  keys.forEach((k, i) => {
    if (typeof k !== 'string') throw new TypeError(`"keys[${i}]" expected string`);
    if (k.includes('"') || k.includes('\\')) throw new RangeError(`"keys[${i}]" contains '"' or '\\', which a Qdrant payload path cannot express`);
  });
  return formatPath(keys.map((key) => ({ key })));
}

function checkKey(key: unknown, at: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`"${at}" expected non-empty string, got ${kind(key)}`);
  if (parsePath(key) === null) {
    throw new TypeError(`"${at}" is not a valid payload path (quote keys outside [A-Za-z0-9_-], e.g. a."b c"): ${JSON.stringify(key)}`);
  }
  return key;
}

/** How has_id entries are checked: by default lowercase hyphenated UUIDs, the only ids we store. */
export interface FilterCheckOptions {
  /** Returns the id as it is matched against point ids; throws for an id the store refuses. */
  pointId?: (id: unknown, at: string) => string;
}

function defaultPointId(id: unknown, at: string): string {
  if (typeof id !== 'string' || !UUID.test(id)) throw new TypeError(`"${at}" expected lowercase hyphenated UUID, got ${kind(id)}`);
  return id;
}

function checkCondition(c: unknown, at: string, depth: number, o: FilterCheckOptions): Condition {
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
    const check = o.pointId ?? defaultPointId;
    return { has_id: ids.map((id: unknown, i) => check(id, `${at}.has_id[${i}]`)) };
  }
  return checkFilterAt(c, at, depth + 1, o);
}

/** Deep nesting is either a bug or an attempt to exhaust the stack; Qdrant has no use for it. */
export const MAX_FILTER_DEPTH = 32;

function checkFilterAt(f: unknown, at: string, depth: number, o: FilterCheckOptions): Filter {
  if (!isObject(f)) throw new TypeError(`"${at}" expected object, got ${kind(f)}`);
  if (depth > MAX_FILTER_DEPTH) throw new RangeError(`"${at}" nests deeper than ${MAX_FILTER_DEPTH} levels`);
  onlyKeys(f, ['must', 'should', 'must_not'], at);
  const out: Filter = {};
  for (const clause of ['must', 'should', 'must_not'] as const) {
    const list = f[clause];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new TypeError(`"${at}.${clause}" expected array, got ${kind(list)}`);
    out[clause] = list.map((c: unknown, i) => checkCondition(c, `${at}.${clause}[${i}]`, depth, o));
  }
  return out;
}

/**
 * Validates `filter` and returns a copy holding only the known keys: the copy is what both
 * backends evaluate or send, so an extra property can never change meaning in one of them.
 */
export function checkFilter(filter: unknown, name = 'filter', options: FilterCheckOptions = {}): Filter {
  return checkFilterAt(filter, name, 0, options);
}

function collect(value: unknown, path: readonly PathItem[], i: number, out: unknown[]): void {
  if (i === path.length) {
    if (Array.isArray(value)) out.push(...(value as unknown[]));
    else if (value !== undefined) out.push(value);
    return;
  }
  const item = path[i] as PathItem;
  if ('key' in item) {
    if (isObject(value) && Object.hasOwn(value, item.key)) collect(value[item.key], path, i + 1, out);
  } else if (Array.isArray(value)) {
    if ('index' in item) {
      if (item.index < value.length) collect(value[item.index], path, i + 1, out);
    } else {
      for (const el of value) collect(el, path, i + 1, out);
    }
  }
}

function pathOf(key: string): PathItem[] {
  const p = parsePath(key);
  if (p === null) throw new TypeError(`not a valid payload path: ${JSON.stringify(key)}`);
  return p;
}

/** The values a condition on `key` sees in `payload` (see the module comment). */
export function fieldValues(payload: Payload, key: string): unknown[] {
  const out: unknown[] = [];
  collect(payload, pathOf(key), 0, out);
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
    const path = pathOf(c.key);
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

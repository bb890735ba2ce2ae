import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalPath, checkFilter, compileFilter, fieldValues, keyNeedsQuoting, MAX_FILTER_DEPTH, parsePath, payloadPath } from './filter.js';
import type { Condition, Filter, Payload } from './types.js';

const runs = process.env['SLOW'] ? 1000 : 150;
const ID1 = '00000000-0000-4000-8000-000000000001';
const ID2 = '00000000-0000-4000-8000-000000000002';

const holds = (f: Filter, payload: Payload, id = ID1) => compileFilter(checkFilter(f))(id, payload);

/**
 * A deliberately literal transcription of Qdrant's condition_checker.rs for our subset, to check
 * the compiled predicate against: values by path, then ValueChecker::check per value.
 */
function refValues(payload: unknown, key: string): unknown[] {
  let current: unknown[] = [payload];
  for (const seg of key.split('.')) {
    const spread = seg.endsWith('[]');
    const name = spread ? seg.slice(0, -2) : seg;
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, name)) continue;
      const child = (v as Record<string, unknown>)[name];
      if (spread) {
        if (Array.isArray(child)) next.push(...child);
      } else next.push(child);
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]));
}

function refMatch(c: Extract<Condition, { key: string }>, v: unknown): boolean {
  const m = c.match;
  const isInt = typeof v === 'number' && Number.isInteger(v);
  if ('value' in m) {
    if (typeof m.value === 'number') return isInt && v === m.value;
    return v === m.value;
  }
  if ('any' in m) {
    if (m.any.length === 0) return false;
    if (typeof m.any[0] === 'string') return typeof v === 'string' && (m.any as string[]).includes(v);
    return isInt && (m.any as number[]).includes(v as number);
  }
  const strings = m.except.length === 0 || typeof m.except[0] === 'string';
  if (typeof v === 'string') return strings ? !(m.except as string[]).includes(v) : true;
  if (typeof v === 'number') return strings ? true : isInt ? !(m.except as number[]).includes(v) : true;
  return v !== null;
}

function refCondition(c: Condition, id: string, payload: Payload): boolean {
  if ('key' in c) {
    const values = refValues(payload, c.key);
    if (values.length === 0) return false;
    return values.some((v) => (Array.isArray(v) ? v.some((x) => refMatch(c, x)) : refMatch(c, v)));
  }
  if ('has_id' in c) return c.has_id.includes(id);
  return refFilter(c, id, payload);
}

function refFilter(f: Filter, id: string, payload: Payload): boolean {
  const should = f.should === undefined ? true : f.should.some((c) => refCondition(c, id, payload));
  const must = (f.must ?? []).every((c) => refCondition(c, id, payload));
  const mustNot = (f.must_not ?? []).every((c) => !refCondition(c, id, payload));
  return should && must && mustNot;
}

// ---- generators ----------------------------------------------------------------------------

const word = fc.constantFrom('a', 'b', 'c');
const scalar = fc.oneof(word, fc.integer({ min: -2, max: 2 }), fc.constantFrom(0.5, -1.5), fc.boolean(), fc.constant(null));
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.array(fc.array(scalar, { maxLength: 2 }), { maxLength: 2 }));
const inner = fc.dictionary(fc.constantFrom('x', 'y'), value, { maxKeys: 2 });
const payloadArb: fc.Arbitrary<Payload> = fc.dictionary(
  fc.constantFrom('s', 'n', 'arr', 'obj', 'objs'),
  fc.oneof(value, inner, fc.array(inner, { maxLength: 2 })),
  { maxKeys: 4 },
);
const keyArb = fc.constantFrom('s', 'n', 'arr', 'obj.x', 'obj.y', 'objs[].x', 'missing', 'obj.missing');
const matchArb = fc.oneof(
  fc.record({ value: fc.oneof(word, fc.integer({ min: -2, max: 2 }), fc.boolean()) }),
  fc.record({ any: fc.oneof(fc.array(word, { maxLength: 3 }), fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 3 })) }),
  fc.record({ except: fc.oneof(fc.array(word, { maxLength: 3 }), fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 3 })) }),
);
const fieldArb = fc.record({ key: keyArb, match: matchArb }) as fc.Arbitrary<Condition>;
const hasIdArb = fc.record({ has_id: fc.subarray([ID1, ID2]) }) as fc.Arbitrary<Condition>;
const { filter: filterArb } = fc.letrec<{ filter: Filter; condition: Condition }>((tie) => ({
  condition: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fieldArb, hasIdArb, tie('filter') as fc.Arbitrary<Condition>),
  filter: fc.record(
    {
      must: fc.array(tie('condition'), { maxLength: 3 }),
      should: fc.array(tie('condition'), { maxLength: 3 }),
      must_not: fc.array(tie('condition'), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Filter>,
}));

describe('filter evaluation', () => {
  it('agrees with a literal transcription of Qdrant condition checking (property)', () => {
    fc.assert(
      fc.property(filterArb, payloadArb, fc.constantFrom(ID1, ID2), (f, payload, id) => {
        expect(compileFilter(checkFilter(f))(id, payload)).toBe(refFilter(f, id, payload));
      }),
      { numRuns: runs },
    );
  });

  it('an array field matches if any element matches; a missing or empty field never matches', () => {
    const f = { must: [{ key: 'tags', match: { value: 'x' } }] };
    expect(holds(f, { tags: ['y', 'x'] })).toBe(true);
    expect(holds(f, { tags: 'x' })).toBe(true);
    expect(holds(f, { tags: ['y'] })).toBe(false);
    expect(holds(f, { tags: [] })).toBe(false);
    expect(holds(f, {})).toBe(false);
    expect(holds({ must: [{ key: 'tags', match: { except: ['x'] } }] }, { tags: [] })).toBe(false);
    expect(holds({ must: [{ key: 'tags', match: { except: ['x'] } }] }, {})).toBe(false);
    expect(holds({ must_not: [{ key: 'tags', match: { value: 'x' } }] }, {})).toBe(true);
  });

  it('never matches across types: "1" is not 1, 1.5 is not an integer, true is not 1', () => {
    expect(holds({ must: [{ key: 'n', match: { value: 1 } }] }, { n: '1' })).toBe(false);
    expect(holds({ must: [{ key: 'n', match: { value: 1 } }] }, { n: true })).toBe(false);
    expect(holds({ must: [{ key: 'n', match: { value: 1 } }] }, { n: 1 })).toBe(true);
    expect(holds({ must: [{ key: 'n', match: { any: [1, 2] } }] }, { n: 1.5 })).toBe(false);
    expect(holds({ must: [{ key: 'b', match: { value: true } }] }, { b: 'true' })).toBe(false);
  });

  it('except: another type passes, null does not, a float passes an integer list', () => {
    const strs = { must: [{ key: 'k', match: { except: ['a'] } }] };
    const ints = { must: [{ key: 'k', match: { except: [1] } }] };
    expect(holds(strs, { k: 5 })).toBe(true);
    expect(holds(strs, { k: true })).toBe(true);
    expect(holds(strs, { k: { a: 1 } })).toBe(true);
    expect(holds(strs, { k: null })).toBe(false);
    expect(holds(strs, { k: 'a' })).toBe(false);
    expect(holds(ints, { k: 1.5 })).toBe(true);
    expect(holds(ints, { k: 'a' })).toBe(true);
    expect(holds(ints, { k: 1 })).toBe(false);
    expect(holds({ must: [{ key: 'k', match: { except: [] } }] }, { k: 'x' })).toBe(true);
  });

  it('paths walk objects with "." and arrays with "[]"', () => {
    const p = { a: { b: 'x' }, list: [{ c: 1 }, { c: 2 }], plain: [{ c: 3 }] };
    expect(fieldValues(p, 'a.b')).toEqual(['x']);
    expect(fieldValues(p, 'list[].c')).toEqual([1, 2]);
    expect(fieldValues(p, 'plain.c')).toEqual([]);
    expect(fieldValues(p, 'a.b.c')).toEqual([]);
    expect(fieldValues(p, 'list')).toEqual([{ c: 1 }, { c: 2 }]);
    expect(fieldValues({ toString: 'x' }, 'constructor')).toEqual([]);
    expect(holds({ must: [{ key: 'list[].c', match: { value: 2 } }] }, p)).toBe(true);
  });

  it('paths take quoted keys and [n] indices (Qdrant lib/segment/src/json_path/parse.rs)', () => {
    const p = { 'a.b': 1, 'my field': { x: 'y' }, list: [{ c: 1 }, { c: 2 }], 'ключ': 3 };
    expect(fieldValues(p, '"a.b"')).toEqual([1]);
    expect(fieldValues(p, 'a.b')).toEqual([]);
    expect(fieldValues(p, '"my field".x')).toEqual(['y']);
    expect(fieldValues(p, 'list[1].c')).toEqual([2]);
    expect(fieldValues(p, 'list[2].c')).toEqual([]);
    expect(fieldValues(p, 'ключ')).toEqual([3]);
    expect(holds({ must: [{ key: '"my field".x', match: { value: 'y' } }] }, p)).toBe(true);
  });

  it('parses, prints and builds paths as Qdrant does', () => {
    // the cases of test_parse and test_key_needs_quoting in lib/segment/src/json_path/parse.rs
    expect(parsePath('foo[1][50].bar-baz[]."qux[.]quux"')).toEqual([
      { key: 'foo' },
      { index: 1 },
      { index: 50 },
      { key: 'bar-baz' },
      { all: true },
      { key: 'qux[.]quux' },
    ]);
    expect(parsePath('')).toBeNull();
    for (const k of ['f', 'foo', 'foo_123-bar']) expect(keyNeedsQuoting(k)).toBe(false);
    for (const k of ['', ' foo', 'foo ', 'foo bar', 'foo.bar.baz', 'foo[]', 'foo[0]']) expect(keyNeedsQuoting(k)).toBe(true);
    expect(canonicalPath('"foo".bar')).toBe('foo.bar');
    expect(canonicalPath('a."b c"[0]')).toBe('a."b c"[0]');
    expect(() => canonicalPath('a b')).toThrow(TypeError);
    expect(payloadPath('bi', 'lang')).toBe('bi.lang');
    expect(payloadPath('bi', 'my field', 'a.b')).toBe('bi."my field"."a.b"');
    expect(() => payloadPath('bi', 'say "hi"')).toThrow(RangeError);
    expect(() => payloadPath('bi', 'back\\slash')).toThrow(RangeError);
    expect(() => payloadPath()).toThrow(RangeError);
  });

  it('every key payloadPath builds parses back to the same keys (property)', () => {
    const keyArb = fc.string({ minLength: 0, maxLength: 8 }).filter((k) => !k.includes('"') && !k.includes('\\'));
    fc.assert(
      fc.property(fc.array(keyArb, { minLength: 1, maxLength: 4 }), (keys) => {
        expect(parsePath(payloadPath(...keys))).toEqual(keys.map((key) => ({ key })));
      }),
      { numRuns: runs },
    );
  });

  it('empty should matches nothing; empty must and empty filter match everything', () => {
    expect(holds({ should: [] }, { a: 1 })).toBe(false);
    expect(holds({ must: [] }, { a: 1 })).toBe(true);
    expect(holds({ must_not: [] }, { a: 1 })).toBe(true);
    expect(holds({}, {})).toBe(true);
    expect(holds({ must: [{}] }, {})).toBe(true);
  });

  it('has_id compares point ids', () => {
    expect(holds({ must: [{ has_id: [ID2] }] }, {}, ID2)).toBe(true);
    expect(holds({ must: [{ has_id: [ID2] }] }, {}, ID1)).toBe(false);
    expect(holds({ must: [{ has_id: [] }] }, {}, ID1)).toBe(false);
  });
});

describe('checkFilter', () => {
  it('returns a copy holding only the known keys', () => {
    const f = { must: [{ key: 'a', match: { value: 'x' } }], should: [{ has_id: [ID1] }] };
    const c = checkFilter(f);
    expect(c).toEqual(f);
    expect(c).not.toBe(f);
    (f.must[0] as { key: string }).key = 'changed';
    expect((c.must?.[0] as { key: string }).key).toBe('a');
  });

  const bad: [string, unknown][] = [
    ['not an object', 'x'],
    ['null', null],
    ['an array', []],
    ['an unknown clause', { filter: [] }],
    ['a clause that is not a list', { must: { key: 'a', match: { value: 1 } } }],
    ['a condition that is not an object', { must: [1] }],
    ['a float value', { must: [{ key: 'a', match: { value: 1.5 } }] }],
    ['an unsafe integer', { must: [{ key: 'a', match: { value: 2 ** 60 } }] }],
    ['an object value', { must: [{ key: 'a', match: { value: {} } }] }],
    ['a null value', { must: [{ key: 'a', match: { value: null } }] }],
    ['a mixed any', { must: [{ key: 'a', match: { any: ['x', 1] } }] }],
    ['a boolean any', { must: [{ key: 'a', match: { any: [true] } }] }],
    ['a float except', { must: [{ key: 'a', match: { except: [0.5] } }] }],
    ['any that is not a list', { must: [{ key: 'a', match: { any: 'x' } }] }],
    ['two match kinds', { must: [{ key: 'a', match: { value: 1, any: [1] } }] }],
    ['no match kind', { must: [{ key: 'a', match: {} }] }],
    ['an unsupported match', { must: [{ key: 'a', match: { text: 'x' } }] }],
    ['a range condition', { must: [{ key: 'a', range: { gt: 1 } }] }],
    ['a missing match', { must: [{ key: 'a' }] }],
    ['an empty key', { must: [{ key: '', match: { value: 1 } }] }],
    ['a key with a space (Qdrant wants it quoted)', { must: [{ key: 'a b', match: { value: 1 } }] }],
    ['a key with a colon', { must: [{ key: 'bi.lang:en', match: { value: 1 } }] }],
    ['an unterminated quote', { must: [{ key: '"a.b', match: { value: 1 } }] }],
    ['a backslash in a quoted key', { must: [{ key: '"a\\b"', match: { value: 1 } }] }],
    ['a non-numeric index', { must: [{ key: 'a[x]', match: { value: 1 } }] }],
    ['a trailing dot', { must: [{ key: 'a.', match: { value: 1 } }] }],
    ['a path starting with an index', { must: [{ key: '[0].a', match: { value: 1 } }] }],
    ['an empty path segment', { must: [{ key: 'a..b', match: { value: 1 } }] }],
    ['a non-UUID has_id', { must: [{ has_id: ['1'] }] }],
    ['an uppercase UUID in has_id', { must: [{ has_id: ['ABCDEF00-0000-4000-8000-000000000001'] }] }],
    ['has_id with extra keys', { must: [{ has_id: [ID1], key: 'a' }] }],
    ['a nested filter with an unknown key', { must: [{ must: [], other: 1 }] }],
  ];
  for (const [what, f] of bad) {
    it(`rejects ${what} with a TypeError naming the path`, () => {
      expect(() => checkFilter(f, 'request.filter')).toThrow(TypeError);
      expect(() => checkFilter(f, 'request.filter')).toThrow(/"request\.filter/);
    });
  }

  it('rejects nesting deeper than the limit with a RangeError', () => {
    let f: Filter = {};
    for (let i = 0; i < MAX_FILTER_DEPTH + 1; i++) f = { must: [f] };
    expect(() => checkFilter(f)).toThrow(RangeError);
    let ok: Filter = {};
    for (let i = 0; i < MAX_FILTER_DEPTH - 1; i++) ok = { must: [ok] };
    expect(holds(ok, {})).toBe(true);
  });
});

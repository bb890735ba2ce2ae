import fc from 'fast-check';
import type { Schemas } from '@qdrant/js-client-rest';
import { describe, expect, it } from 'vitest';
import {
  chunks,
  describeFromInfo,
  f32ForJson,
  fromRecord,
  fromScoredPoint,
  groupPayloadUpdates,
  missingIndexes,
  payloadIndexes,
  tenantFieldOf,
  tenantOfFilter,
  withPayloadToWire,
  splitBySize,
  toWireFilter,
  toWirePoint,
  wirePointBytes,
} from './qdrant-mapping.js';
import type { Filter, Payload } from './types.js';

const runs = process.env['SLOW'] ? 2000 : 300;
const ID = '00000000-0000-4000-8000-00000000000a';

describe('float32 values in JSON', () => {
  it('parse back to the same float32 and are never longer than the float64 rendering (property)', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const v = Math.fround(x);
        const j = f32ForJson(v);
        expect(Math.fround(JSON.parse(JSON.stringify(j)) as number)).toBe(v === 0 ? 0 : v);
        expect(JSON.stringify(j).length).toBeLessThanOrEqual(JSON.stringify(v).length);
      }),
      { numRuns: runs },
    );
  });

  it('shortens the typical float32 rendering', () => {
    expect(JSON.stringify(f32ForJson(Math.fround(0.1)))).toBe('0.100000001');
    expect(JSON.stringify(Math.fround(0.1))).toBe('0.10000000149011612');
    expect(f32ForJson(-0)).toBe(0);
    expect(Object.is(f32ForJson(-0), -0)).toBe(false);
    expect(f32ForJson(3)).toBe(3);
  });

  it('wire points carry id, plain number vector and payload; their size is their JSON size', () => {
    const w = toWirePoint({ id: ID, vector: Float32Array.of(0.5, -2), payload: { a: 'é' } });
    expect(w).toEqual({ id: ID, vector: [0.5, -2], payload: { a: 'é' } });
    expect(wirePointBytes(w)).toBe(Buffer.byteLength(JSON.stringify(w)) + 1);
  });
});

describe('splitBySize', () => {
  it('covers every item once, in order, within the count and byte caps (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 300 }), (sizes, maxCount, maxBytes) => {
        const ranges = splitBySize(sizes, maxCount, maxBytes);
        let next = 0;
        for (const [a, b] of ranges) {
          expect(a).toBe(next);
          expect(b).toBeGreaterThan(a);
          expect(b - a).toBeLessThanOrEqual(maxCount);
          const bytes = sizes.slice(a, b).reduce((s, x) => s + x, 0);
          // only a single oversized item may exceed the byte cap
          if (b - a > 1) expect(bytes).toBeLessThanOrEqual(maxBytes);
          next = b;
        }
        expect(next).toBe(sizes.length);
      }),
      { numRuns: runs },
    );
  });

  it('sends an oversized item alone', () => {
    expect(splitBySize([10, 500, 10, 10], 10, 100)).toEqual([
      [0, 1],
      [1, 2],
      [2, 4],
    ]);
    expect(splitBySize([], 3, 3)).toEqual([]);
  });

  it('chunks', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 2)).toEqual([]);
  });
});

describe('setPayload grouping', () => {
  it('one request per distinct payload, equivalent to applying the updates in order (property)', () => {
    const ids = ['a', 'b', 'c', 'd'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.constantFrom(...ids), payload: fc.dictionary(fc.constantFrom('x', 'y', 'z'), fc.integer({ min: 0, max: 2 }), { maxKeys: 2 }) }), { maxLength: 12 }),
        (updates) => {
          const sequential = new Map<string, Payload>();
          for (const u of updates) sequential.set(u.id, { ...(sequential.get(u.id) ?? {}), ...u.payload });
          const grouped = new Map<string, Payload>();
          const groups = groupPayloadUpdates(updates);
          expect(new Set(groups.map((g) => JSON.stringify(g.payload))).size).toBe(groups.length);
          for (const g of groups) for (const id of g.ids) grouped.set(id, { ...(grouped.get(id) ?? {}), ...g.payload });
          expect(grouped).toEqual(sequential);
        },
      ),
      { numRuns: runs },
    );
  });
});

describe('collection bodies', () => {
  it('indexes the tenant field with is_tenant, keyword fields as keyword and integer fields as integer, once each', () => {
    expect(payloadIndexes({ tenantField: 't', keywordFields: ['k1', 't', 'k2'], integerFields: ['ep'] })).toEqual([
      { field_name: 't', field_schema: { type: 'keyword', is_tenant: true } },
      { field_name: 'k1', field_schema: 'keyword' },
      { field_name: 'k2', field_schema: 'keyword' },
      { field_name: 'ep', field_schema: { type: 'integer', lookup: true, range: true } },
    ]);
    expect(payloadIndexes({})).toEqual([]);
  });

  it('finds the indexes a collection lacks or has with a type that cannot serve the filter', () => {
    const withSchema = (payload_schema: Record<string, unknown>) => ({ config: { params: {} }, payload_schema }) as unknown as Schemas['CollectionInfo'];
    const wanted = payloadIndexes({ tenantField: 'tnt', keywordFields: ['kid', 'bi."my field"'], integerFields: ['ep'] });
    expect(missingIndexes(withSchema({}), wanted).map((w) => w.field_name)).toEqual(['tnt', 'kid', 'bi."my field"', 'ep']);
    const complete = withSchema({
      tnt: { data_type: 'keyword', params: { type: 'keyword', is_tenant: true } },
      kid: { data_type: 'keyword' },
      'bi."my field"': { data_type: 'keyword' },
      ep: { data_type: 'integer', params: { type: 'integer', lookup: true, range: true } },
    });
    expect(missingIndexes(complete, wanted)).toEqual([]);
    const wrong = withSchema({
      tnt: { data_type: 'keyword' }, // not a tenant index
      kid: { data_type: 'text' },
      'bi."my field"': { data_type: 'keyword' },
      ep: { data_type: 'integer', params: { type: 'integer', lookup: false, range: true } }, // no match lookups
    });
    expect(missingIndexes(wrong, wanted).map((w) => w.field_name)).toEqual(['tnt', 'kid', 'ep']);
    expect(tenantFieldOf(complete)).toBe('tnt');
    expect(tenantFieldOf(wrong)).toBeUndefined();
  });

  it('payload selectors become include paths, quoted where needed', () => {
    expect(withPayloadToWire(true)).toBe(true);
    expect(withPayloadToWire(false)).toBe(false);
    expect(withPayloadToWire(['h', 'my key', 'a.b'])).toEqual({ include: ['h', '"my key"', '"a.b"'] });
  });

  it('finds the single tenant a filter reads, for custom shard keys', () => {
    const must = (...c: Filter['must'] & object) => ({ must: c });
    expect(tenantOfFilter(must({ key: 'tnt', match: { value: 'acme' } }, { key: 'kid', match: { value: 'k' } }), 'tnt')).toBe('acme');
    expect(tenantOfFilter(must({ key: '"tnt"', match: { value: 7 } }), 'tnt')).toBe(7);
    expect(tenantOfFilter(must({ key: 'tnt', match: { any: ['a', 'b'] } }), 'tnt')).toBeUndefined();
    expect(tenantOfFilter({ should: [{ key: 'tnt', match: { value: 'a' } }] }, 'tnt')).toBeUndefined();
    expect(tenantOfFilter(must({ key: 'tnt', match: { value: true } }), 'tnt')).toBeUndefined();
    expect(tenantOfFilter(undefined, 'tnt')).toBeUndefined();
  });

  const info = (vectors: unknown, metadata?: unknown) =>
    ({ status: 'green', optimizer_status: 'ok', segments_count: 1, payload_schema: {}, config: { params: { vectors }, metadata } }) as unknown as Schemas['CollectionInfo'];

  it('describes a collection from GET /collections/{name}', () => {
    expect(describeFromInfo('c', info({ size: 4, distance: 'Euclid' }, { a: 1 }))).toEqual({ name: 'c', dimension: 4, distance: 'Euclid', metadata: { a: 1 } });
    expect(describeFromInfo('c', info({ size: 4, distance: 'Dot' }, null)).metadata).toEqual({});
    expect(describeFromInfo('c', info({ size: 4, distance: 'Dot' })).metadata).toEqual({});
  });

  it('refuses collections we did not make (SchemeMismatch)', () => {
    for (const v of [{ named: { size: 4, distance: 'Dot' } }, { size: 4, distance: 'Cosine' }, { size: 4, distance: 'Manhattan' }, { size: 0, distance: 'Dot' }, null]) {
      expect(() => describeFromInfo('c', info(v))).toThrow(expect.objectContaining({ code: 'ERR_SCHEME_MISMATCH' }));
    }
  });
});

describe('responses', () => {
  it('maps scored points and records, with vectors only when asked', () => {
    const sp = { id: ID, version: 3, score: 0.5, payload: { a: 1 }, vector: [1, 2] } as Schemas['ScoredPoint'];
    expect(fromScoredPoint(sp, true)).toEqual({ id: ID, score: 0.5, payload: { a: 1 }, vector: Float32Array.of(1, 2) });
    expect(fromScoredPoint({ ...sp, payload: null }, false)).toEqual({ id: ID, score: 0.5, payload: {} });
    expect(fromRecord({ id: ID, payload: { b: 2 }, vector: [3] }, true)).toEqual({ id: ID, payload: { b: 2 }, vector: Float32Array.of(3) });
    expect(fromRecord({ id: ID }, false)).toEqual({ id: ID, payload: {}, vector: new Float32Array(0) });
  });

  it('refuses named or sparse vectors in responses', () => {
    expect(() => fromRecord({ id: ID, vector: { dense: [1] } }, true)).toThrow(expect.objectContaining({ code: 'ERR_SCHEME_MISMATCH' }));
    expect(() => fromRecord({ id: ID }, true)).toThrow(expect.objectContaining({ code: 'ERR_SCHEME_MISMATCH' }));
  });

  it('filters are sent as a copy in Qdrant\'s own shape', () => {
    const f = { must: [{ key: 'a', match: { any: ['x'] } }], must_not: [{ has_id: [ID] }] };
    const w = toWireFilter(f);
    expect(w).toEqual(f);
    expect(w).not.toBe(f);
  });
});

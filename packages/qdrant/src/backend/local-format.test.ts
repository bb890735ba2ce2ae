import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyLogRecord,
  decodeCollection,
  decodeLog,
  encodeCollection,
  encodeLogHeader,
  encodeLogRecord,
  FORMAT_VERSION,
  type LogRecord,
} from './local-format.js';
import { LocalCollection } from './local-store.js';
import { points as makePoints, rng } from './__tests__/fixtures.js';

const runs = process.env['SLOW'] ? 300 : 40;

function bytes(c: LocalCollection, seq = 0): Uint8Array {
  return Buffer.concat(encodeCollection(c, seq));
}

function sample(n = 5, d = 3): LocalCollection {
  const c = new LocalCollection({ name: 'docs', dimension: d, distance: 'Dot', tenantField: 't', keywordFields: ['k'], metadata: { scheme: 1 } });
  for (const p of makePoints(rng(1), n, d, (i) => ({ i, s: 'é€😀' }))) c.upsert(p.id, p.vector, p.payload);
  return c;
}

/** Re-seals `b` with a valid CRC, so a test reaches the check behind it. */
function reseal(b: Uint8Array): Uint8Array {
  const out = Uint8Array.from(b);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

function withHeader(header: unknown, vectorBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((12 + json.length) % 4)) % 4;
  const out = new Uint8Array(12 + json.length + pad + vectorBytes + 4);
  out.set([0x53, 0x56, 0x4c, 0x43]);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, FORMAT_VERSION, true);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  return reseal(out);
}

describe('local collection file format', () => {
  it('round-trips info, ids, payloads and exact float32 vectors (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 9 }), (seed, n, d) => {
        const c = new LocalCollection({ name: `c${seed}`, dimension: d, distance: 'Euclid', keywordFields: [], metadata: { seed } });
        const pts = makePoints(rng(seed), n, d, (i) => ({ i, nested: { a: [i, null, 'x'] } }));
        for (const p of pts) c.upsert(p.id, p.vector, p.payload);
        const { collection: back, seq } = decodeCollection(bytes(c, n * 7));
        expect(seq).toBe(n * 7);
        expect(back.info).toEqual(c.info);
        expect(back.size).toBe(n);
        for (const p of pts) expect(back.get(p.id, true)).toEqual(p);
      }),
      { numRuns: runs },
    );
  });

  it('keeps the header 4-byte aligned before the vectors and ends with a CRC-32', () => {
    const b = bytes(sample());
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    expect(Array.from(b.subarray(0, 4))).toEqual([0x53, 0x56, 0x4c, 0x43]);
    expect(dv.getUint32(4, true)).toBe(1);
    const h = dv.getUint32(8, true);
    const start = Math.ceil((12 + h) / 4) * 4;
    expect(b.length - 4 - start).toBe(5 * 3 * 4);
    expect(dv.getUint32(b.length - 4, true)).toBe(crc32(b.subarray(0, b.length - 4)));
    // an empty collection is valid too
    const empty = new LocalCollection({ name: 'e', dimension: 2, distance: 'Dot', keywordFields: [], metadata: {} });
    expect(decodeCollection(bytes(empty)).collection.size).toBe(0);
  });

  it('snapshots: later changes to the collection do not reach encoded chunks', () => {
    const c = sample();
    const chunks = encodeCollection(c, 3);
    const before = Buffer.concat(chunks).toString('hex');
    for (const p of makePoints(rng(9), 3, 3)) c.upsert(p.id, p.vector, p.payload);
    const first = c.entries().next().value!;
    c.delete(first.id);
    expect(Buffer.concat(chunks).toString('hex')).toBe(before);
  });

  const valid = bytes(sample());
  const ids = [...sample().entries()].map((e) => e.id);
  const info = { name: 'x', dimension: 2, distance: 'Dot', keywordFields: [], metadata: {}, seq: 0 };
  const bad: [string, Uint8Array, RegExp, string?][] = [
    ['too short', valid.subarray(0, 10), /too short/],
    ['bad magic', reseal(Uint8Array.from(valid, (x, i) => (i === 0 ? 0x58 : x))), /bad magic/],
    ['a flipped bit', Uint8Array.from(valid, (x, i) => (i === 40 ? x ^ 1 : x)), /checksum mismatch/],
    ['a truncated file', valid.subarray(0, valid.length - 9), /checksum mismatch/],
    ['a header length past the end', reseal(Uint8Array.from(valid, (x, i) => (i === 11 ? 0x7f : x))), /header length/],
    ['a header that is not UTF-8', reseal(withHeader('abcdef', 0).fill(0xff, 12, 15)), /not valid UTF-8 JSON/],
    ['a header that is not JSON', reseal(withHeader('abcdef', 0).fill(0x7b, 12, 15)), /not valid UTF-8 JSON/],
    ['a header that is not an object', withHeader([1], 0), /not an object/],
    ['a bad distance', withHeader({ ...info, distance: 'Cosine', ids: [], payloads: [] }, 0), /distance/],
    ['a bad dimension', withHeader({ ...info, dimension: 0, ids: [], payloads: [] }, 0), /dimension/],
    ['missing payloads', withHeader({ ...info, ids: [ids[0]], payloads: [] }, 8), /payloads/],
    ['duplicate ids', withHeader({ ...info, ids: [ids[0], ids[0]], payloads: [{}, {}] }, 16), /duplicates/],
    ['a short vector section', withHeader({ ...info, ids: [ids[0]], payloads: [{}] }, 4), /vector section/],
    ['bad keyword fields', withHeader({ ...info, keywordFields: [1], ids: [], payloads: [] }, 0), /keywordFields/],
    ['a missing seq', withHeader({ ...info, seq: undefined, ids: [], payloads: [] }, 0), /seq/],
    ['a negative seq', withHeader({ ...info, seq: -1, ids: [], payloads: [] }, 0), /seq/],
  ];
  for (const [what, b, msg] of bad) {
    it(`refuses ${what} with Malformed`, () => {
      expect(() => decodeCollection(b, 'f.svcol')).toThrow(msg);
      try {
        decodeCollection(b, 'f.svcol');
      } catch (e) {
        expect(e).toMatchObject({ code: 'ERR_MALFORMED' });
        expect((e as Error).message).toMatch(/^f\.svcol: /);
      }
    });
  }

  it('refuses another format version with UnsupportedVersion', () => {
    const v2 = reseal(Uint8Array.from(valid, (x, i) => (i === 4 ? 2 : x)));
    expect(() => decodeCollection(v2)).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_VERSION' }));
  });
});

describe('collection change log', () => {
  const r = rng(50);
  const pts = makePoints(r, 4, 3, (i) => ({ i }));
  const records: LogRecord[] = [
    { seq: 1, op: 'upsert', ids: pts.map((p) => p.id), payloads: pts.map((p) => p.payload), vectors: Float32Array.from(pts.flatMap((p) => [...p.vector])) },
    { seq: 2, op: 'delete', ids: [pts[1]!.id] },
    { seq: 3, op: 'set', updates: [{ id: pts[2]!.id, payload: { extra: 'é' } }] },
  ];
  const log = Buffer.concat([encodeLogHeader(), ...records.map(encodeLogRecord)]);

  it('round-trips records and applies them in order', () => {
    const d = decodeLog(log, 3);
    expect(d).toEqual({ records, validLength: log.length, torn: false });
    const c = new LocalCollection({ name: 'x', dimension: 3, distance: 'Dot', keywordFields: [], metadata: {} });
    for (const rec of d.records) applyLogRecord(c, rec);
    expect(c.size).toBe(3);
    expect(c.get(pts[1]!.id, false)).toBeUndefined();
    expect(c.get(pts[2]!.id, true)).toEqual({ ...pts[2], payload: { i: 2, extra: 'é' } });
    expect(c.get(pts[0]!.id, true)).toEqual(pts[0]);
  });

  it('encodes a copy: later changes to the caller\'s vectors do not reach the record', () => {
    const v = Float32Array.of(1, 2, 3);
    const b = encodeLogRecord({ seq: 1, op: 'upsert', ids: [pts[0]!.id], payloads: [{}], vectors: v });
    v[0] = 9;
    const d = decodeLog(Buffer.concat([encodeLogHeader(), b]), 3);
    expect(Array.from((d.records[0] as Extract<LogRecord, { op: 'upsert' }>).vectors)).toEqual([1, 2, 3]);
  });

  it('an empty log or a log cut inside its header is no records', () => {
    expect(decodeLog(encodeLogHeader(), 3)).toEqual({ records: [], validLength: 8, torn: false });
    expect(decodeLog(new Uint8Array(0), 3)).toEqual({ records: [], validLength: 0, torn: false });
    expect(decodeLog(encodeLogHeader().subarray(0, 5), 3)).toEqual({ records: [], validLength: 0, torn: true });
  });

  it('drops a last record cut short by a crash, at any cut point (property)', () => {
    const lastStart = log.length - encodeLogRecord(records[2]!).length;
    fc.assert(
      fc.property(fc.integer({ min: lastStart + 1, max: log.length - 1 }), fc.boolean(), (cut, zeros) => {
        // a crash may leave a prefix of the record, or (some file systems) zero-filled blocks
        const torn = zeros ? Buffer.concat([log.subarray(0, lastStart), Buffer.alloc(cut - lastStart)]) : log.subarray(0, cut);
        const d = decodeLog(torn, 3);
        expect(d.records).toEqual(records.slice(0, 2));
        expect(d.validLength).toBe(lastStart);
        expect(d.torn).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it('a damaged record followed by more records is Malformed, not a crash', () => {
    const bad = Buffer.from(log);
    bad[20] = (bad[20] as number) ^ 0xff; // inside the first record
    expect(() => decodeLog(bad, 3, 'c.svlog')).toThrow(/c\.svlog: damaged record at byte 8/);
  });

  it('a damaged last record with a wrong CRC is treated as torn', () => {
    const bad = Buffer.from(log);
    bad[log.length - 2] = (bad[log.length - 2] as number) ^ 0xff;
    expect(decodeLog(bad, 3).records).toHaveLength(2);
  });

  it('refuses another magic, another version, and records that do not fit the collection', () => {
    expect(() => decodeLog(Buffer.from('XXXX\u0001\u0000\u0000\u0000'), 3)).toThrow(/bad magic/);
    expect(() => decodeLog(Buffer.from('XX'), 3)).toThrow(/bad magic/);
    const v2 = Buffer.from(log);
    v2[4] = 2;
    expect(() => decodeLog(v2, 3)).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_VERSION' }));
    expect(() => decodeLog(log, 4)).toThrow(/do not match the dimension/);
    const unknown = Buffer.concat([encodeLogHeader(), encodeLogRecord({ seq: 1, op: 'nope' } as unknown as LogRecord), encodeLogRecord(records[1]!)]);
    expect(() => decodeLog(unknown, 3)).toThrow(/unknown log record op/);
    const noSeq = Buffer.concat([encodeLogHeader(), encodeLogRecord({ seq: 0, op: 'delete', ids: [] }), encodeLogRecord(records[1]!)]);
    expect(() => decodeLog(noSeq, 3)).toThrow(/seq/);
  });
});

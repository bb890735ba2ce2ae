import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCollection, encodeCollection, FORMAT_VERSION } from './local-format.js';
import { LocalCollection } from './local-store.js';
import { points as makePoints, rng } from './__tests__/fixtures.js';

const runs = process.env['SLOW'] ? 300 : 40;

function bytes(c: LocalCollection): Uint8Array {
  return Buffer.concat(encodeCollection(c));
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
        const back = decodeCollection(bytes(c));
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
    expect(decodeCollection(bytes(empty)).size).toBe(0);
  });

  it('snapshots: later changes to the collection do not reach encoded chunks', () => {
    const c = sample();
    const chunks = encodeCollection(c);
    const before = Buffer.concat(chunks).toString('hex');
    for (const p of makePoints(rng(9), 3, 3)) c.upsert(p.id, p.vector, p.payload);
    const first = c.entries().next().value!;
    c.delete(first.id);
    expect(Buffer.concat(chunks).toString('hex')).toBe(before);
  });

  const valid = bytes(sample());
  const ids = [...sample().entries()].map((e) => e.id);
  const info = { name: 'x', dimension: 2, distance: 'Dot', keywordFields: [], metadata: {} };
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

/**
 * The reader of the older on-disk format, against files written by that format's own writer
 * (fixtures/legacy-local-store, made by packages/qdrant/scripts/gen-legacy-store.mjs) and
 * damaged copies of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLog, decodeSnapshot, LOG_EXT, replay, SNAPSHOT_EXT, type LegacySnapshot } from './local-legacy.js';

const runs = process.env['SLOW'] ? 300 : 40;
const storeDir = fileURLToPath(new URL('../../../../fixtures/legacy-local-store/store/', import.meta.url));
const expected = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../fixtures/legacy-local-store/expected.json', import.meta.url)), 'utf8')) as {
  collections: { name: string; dimension: number; distance: string; metadata: object; points: { id: string; vector: number[]; payload: object }[] }[];
};

/** Each fixture collection: snapshot and log bytes, by collection name. */
const files = new Map<string, { snap: Uint8Array; log: Uint8Array }>();
for (const f of readdirSync(storeDir).filter((x) => x.endsWith(SNAPSHOT_EXT))) {
  const snap = new Uint8Array(readFileSync(join(storeDir, f)));
  files.set(decodeSnapshot(snap).info.name, { snap, log: new Uint8Array(readFileSync(join(storeDir, f.replace(SNAPSHOT_EXT, LOG_EXT)))) });
}
const fixture = (name: string) => files.get(name) as { snap: Uint8Array; log: Uint8Array };

function state(s: LegacySnapshot) {
  return [...s.points].map(([id, p]) => ({ id, vector: Array.from(p.vector), payload: p.payload })).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Offsets where each record of a log starts, and its end. */
function recordBounds(log: Uint8Array): number[] {
  const dv = new DataView(log.buffer, log.byteOffset, log.byteLength);
  const out = [8];
  while ((out.at(-1) as number) < log.length) out.push((out.at(-1) as number) + 8 + dv.getUint32(out.at(-1) as number, true));
  return out;
}

describe('older store format: reading what its writer wrote', () => {
  it('snapshot + replayed log give exactly what the old store served (every fixture collection)', () => {
    for (const c of expected.collections) {
      const { snap, log } = fixture(c.name);
      const s = decodeSnapshot(snap, c.name);
      expect(s.info).toMatchObject({ name: c.name, dimension: c.dimension, distance: c.distance, metadata: c.metadata });
      replay(s, decodeLog(log, c.dimension));
      expect(state(s)).toEqual(c.points);
    }
  });

  it('the fixture exercises replace, delete and set-payload records and a torn tail', () => {
    const docs = decodeLog(fixture('docs').log, 4);
    expect(new Set(docs.records.map((r) => r.op))).toEqual(new Set(['upsert', 'delete', 'set']));
    expect(docs.torn).toBe(false);
    expect(decodeLog(fixture('torn').log, 2).torn).toBe(true);
  });

  it('drops a last record cut short at any point, keeping the records before it (property)', () => {
    const { snap, log } = fixture('docs');
    const bounds = recordBounds(log);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: bounds.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (k, frac) => {
        const start = bounds[k - 1] as number;
        const cut = start + Math.floor(frac * ((bounds[k] as number) - start - 1));
        const decoded = decodeLog(log.subarray(0, cut), 4);
        expect(decoded.records).toHaveLength(k - 1);
        expect(decoded.torn).toBe(cut > start);
        // and it still replays onto the snapshot
        replay(decodeSnapshot(snap), decoded);
      }),
      { numRuns: runs },
    );
  });

  it('a log cut inside its own header, or zero-filled, is no records', () => {
    const { log } = fixture('docs');
    for (const n of [0, 3, 7]) expect(decodeLog(log.subarray(0, n), 4).records).toEqual([]);
    expect(decodeLog(new Uint8Array(5), 4)).toEqual({ records: [], torn: true });
  });
});

describe('older store format: damage is Malformed, never silently wrong', () => {
  const flip = (bytes: Uint8Array, at: number) => {
    const b = bytes.slice();
    b[at] = (b[at] as number) ^ 0xff;
    return b;
  };

  it('refuses a snapshot with a flipped byte anywhere (checksum), naming the file', () => {
    const { snap } = fixture('docs');
    for (const at of [0, 4, 9, 20, snap.length - 10, snap.length - 1]) {
      const err = (() => {
        try {
          decodeSnapshot(flip(snap, at), 'docs.svcol');
        } catch (e) {
          return e;
        }
      })();
      expect(err, `byte ${at}`).toMatchObject({ code: at >= 4 && at < 8 ? 'ERR_UNSUPPORTED_VERSION' : 'ERR_MALFORMED' });
      expect((err as Error).message).toContain('docs.svcol');
    }
  });

  it('refuses a snapshot whose header lies, even with a valid checksum', () => {
    const { snap } = fixture('Ünï code'); // a snapshot holding points
    const reCrc = (b: Uint8Array) => {
      new DataView(b.buffer, b.byteOffset).setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true);
      return b;
    };
    const headerLen = new DataView(snap.buffer, snap.byteOffset).getUint32(8, true);
    const header = new TextDecoder().decode(snap.subarray(12, 12 + headerLen));
    const withHeader = (h: string) => {
      const enc = new TextEncoder().encode(h);
      expect(enc.length).toBe(headerLen); // same length keeps the layout
      const b = snap.slice();
      b.set(enc, 12);
      return reCrc(b);
    };
    expect(() => decodeSnapshot(withHeader(header.replace('"Dot"', '"Cos"')))).toThrow(/distance/);
    expect(() => decodeSnapshot(withHeader(header.replace('"dimension":3', '"dimension":4')))).toThrow(/vector section/);
    expect(() => decodeSnapshot(withHeader(header.replace('{', '[')))).toThrow(/JSON|object/);
    expect(() => decodeSnapshot(reCrc(snap.slice(0, 40)))).toThrow(/header length/);
    expect(() => decodeSnapshot(snap.slice(0, 15))).toThrow(/too short/);
  });

  it('a damaged record followed by more records is Malformed, not a crash', () => {
    const { log } = fixture('docs');
    const bounds = recordBounds(log);
    expect(() => decodeLog(flip(log, (bounds[1] as number) + 12), 4)).toThrow(/damaged record/);
    // the same damage in the last record is what a crash leaves: dropped
    expect(decodeLog(flip(log, (bounds.at(-2) as number) + 12), 4).torn).toBe(true);
  });

  it('refuses another magic, another version, and records that do not fit the collection', () => {
    const { log } = fixture('docs');
    expect(() => decodeLog(flip(log, 0), 4)).toThrow(/bad magic/);
    expect(() => decodeLog(flip(log, 5), 4)).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_VERSION' }));
    expect(() => decodeLog(log, 3)).toThrow(/dimension/);
  });
});

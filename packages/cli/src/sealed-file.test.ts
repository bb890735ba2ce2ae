import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSealer, createVectorCipher, createWriterKey, encodeStoredPayload, generateAuthority, signScheme, VectorKeyset } from '@sealvec/core';
import { ByteBuilder } from './output/byte-builder.js';
import { encodeHeaderLine, encodeRecordLine, encodeStoredPayloadFast, parseHeaderLine, parseRecordLine, putStoredPayload } from './sealed-file.js';

const headerAuthority = generateAuthority();
const scheme = signScheme(
  {
    collection: 'docs',
    dimension: 3,
    metric: 'cosine',
    beta: 1,
    preset: 'balanced',
    scale: null,
    maxNorm: null,
    authority: headerAuthority.id,
    prefilter: true,
    blindIndexFields: ['status'],
    exactVector: true,
    legacyKids: [],
  },
  createWriterKey(headerAuthority),
);

describe('sealed file header', () => {
  it('round-trips', () => {
    const line = encodeHeaderLine('docs', 'acme', scheme);
    expect(parseHeaderLine(JSON.parse(line), 'f:1')).toEqual({ type: 'sealvec/sealed-jsonl', version: 2, collection: 'docs', tenant: 'acme', scheme: { ...scheme, version: 2 } });
  });

  it('rejects hostile or foreign first lines with coded errors naming the place', () => {
    const h = JSON.parse(encodeHeaderLine('docs', '', scheme)) as Record<string, unknown>;
    const s = h.scheme as Record<string, unknown>;
    const cases: [unknown, string, string][] = [
      [{ vector: [1], payload: { sv: 1 } }, 'ERR_MALFORMED', 'f:1: sealed file has no header line (was it produced by "sealvec encrypt"?)'],
      [[1, 2], 'ERR_MALFORMED', 'f:1: not a sealed file (the first line must be its header object)'],
      [{ ...h, version: 3 }, 'ERR_UNSUPPORTED_VERSION', 'f:1: sealed file version 3 is not supported (this build reads 1 and 2)'],
      [{ ...h, version: 1 }, 'ERR_MALFORMED', 'f:1: a version 1 file cannot carry a version 2 scheme'],
      [{ ...h, collection: 'other' }, 'ERR_MALFORMED', 'f:1: the scheme is for another collection than the file names'],
      [{ ...h, scheme: { ...s, metric: 'manhattan' } }, 'ERR_MALFORMED', 'f:1: collection "docs" has invalid sealvec metadata: "metric" must be cosine, euclid or dot'],
      [{ ...h, scheme: { ...s, storedDimension: 4 } }, 'ERR_MALFORMED', 'f:1: collection "docs" has invalid sealvec metadata: "storedDimension" does not match the metric'],
      [{ ...h, scheme: { ...s, dimension: -1 } }, 'ERR_MALFORMED', 'f:1: collection "docs" has invalid sealvec metadata: "dimension" must be an integer in [1, 65536]'],
      [{ ...h, scheme: { ...s, beta: 'high' } }, 'ERR_MALFORMED', 'f:1: collection "docs" has invalid sealvec metadata: "beta" must be a non-negative number'],
      [{ ...h, scheme: { ...s, authority: 'me' } }, 'ERR_MALFORMED', 'f:1: collection "docs" has invalid sealvec metadata: "authority" must be a 16-hex-digit authority id'],
      [{ ...h, scheme: { ...s, metric: 'dot', storedDimension: 4 } }, 'ERR_MALFORMED', 'f:1: collection "docs" has invalid sealvec metadata: "maxNorm" is required for the dot metric'],
      [{ ...h, scheme: { ...s, sealvec: 7 } }, 'ERR_SCHEME_MISMATCH', 'f:1: collection "docs" uses sealvec scheme version 7, this build reads 1 and 2'],
      [{ ...h, tenant: 3 }, 'ERR_MALFORMED', 'f:1: "collection" and "tenant" must be strings'],
    ];
    for (const [value, code, message] of cases) expect(() => parseHeaderLine(value, 'f:1'), message).toThrow(expect.objectContaining({ code, message }));
  });
});

describe('encodeStoredPayloadFast, putStoredPayload and record lines', () => {
  it('give exactly what core\'s encodeStoredPayload and JSON.stringify give, for every field combination, and lines read back (property)', () => {
    const authority = generateAuthority();
    const writer = createWriterKey(authority);
    const keyset = VectorKeyset.create();
    fc.assert(
      fc.property(
        fc.constantFrom('cosine', 'euclid'),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.constantFrom('*', 'role=a,b', 'role=a;department=x,y,z'),
        (metric, prefilter, exactVector, withBi, id, v, policy) => {
          const cipher = createVectorCipher(keyset.primary, { dimension: 4, metric, beta: 0.5, collection: 'c' });
          const sealer = createSealer({ writer, cipher, collection: 'c', prefilter, exactVector, blindIndex: withBi ? ['k', 'a'] : [] });
          const vec = v.some((x) => x !== 0) ? v : [1, 0, 0, 0];
          const rec = sealer.seal({ id, vector: vec, policy, payload: { k: 'v', a: [1, 2] } });
          const json = JSON.stringify(encodeStoredPayload(rec));
          expect(JSON.stringify(encodeStoredPayloadFast(rec))).toBe(json);
          const b = new ByteBuilder(16);
          putStoredPayload(b, rec);
          expect(Buffer.from(b.view()).toString('utf8')).toBe(json);
          const line = encodeRecordLine(rec);
          expect(line.endsWith('}\n')).toBe(true);
          expect(parseRecordLine(JSON.parse(line), 'f:2', 4)).toEqual({ ...rec, vector: Float32Array.from(rec.vector) });
        },
      ),
      { numRuns: process.env.SLOW ? 500 : 40 },
    );
  });
});

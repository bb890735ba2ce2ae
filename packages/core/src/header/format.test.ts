import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import { Malformed, SealvecError, UnsupportedVersion } from '../errors.js';
import { ENTRY_LENGTH, HEADER_FIXED_LENGTH, MAX_HEADER_BYTES, MIN_ESCROW_PLAINTEXT } from '../format/constants.js';
import { decodeHeader, encodeHeader, encodeHeaderBody, type HeaderFields } from './format.js';

function entries(n: number): Uint8Array {
  const e = new Uint8Array(n * ENTRY_LENGTH);
  for (let i = 0; i < n; i++) {
    e[i * ENTRY_LENGTH] = i; // strictly increasing locators
    e.fill(0xab, i * ENTRY_LENGTH + 16, (i + 1) * ENTRY_LENGTH);
  }
  return e;
}

const fields = (n = 2): HeaderFields => ({
  version: 1,
  epoch: 7,
  nonce: new Uint8Array(24).fill(9),
  entries: entries(n),
  escrow: new Uint8Array(MIN_ESCROW_PLAINTEXT + 16).fill(5),
  mac: new Uint8Array(16).fill(1),
});

describe('header encoding', () => {
  it('round-trips and lays out the documented fields', () => {
    const f = fields(4);
    const b = encodeHeader(f);
    expect(b.length).toBe(HEADER_FIXED_LENGTH + 4 * ENTRY_LENGTH + MIN_ESCROW_PLAINTEXT + 16);
    expect(b[0]).toBe(1);
    expect(Array.from(b.subarray(1, 5))).toEqual([0, 0, 0, 7]);
    expect(Array.from(b.subarray(29, 31))).toEqual([0, 4]);
    const d = decodeHeader(b);
    expect(d.epoch).toBe(7);
    expect(d.entryCount).toBe(4);
    expect(d.entries).toEqual(f.entries);
    expect(d.escrow).toEqual(f.escrow);
    expect(d.mac).toEqual(f.mac);
    expect(d.nonce).toEqual(f.nonce);
  });

  it('refuses to encode what it would refuse to decode', () => {
    expect(() => encodeHeader({ ...fields(), entries: entries(3) })).toThrow(RangeError);
    expect(() => encodeHeader({ ...fields(), epoch: 0 })).toThrow(RangeError);
    expect(() => encodeHeader({ ...fields(), escrow: new Uint8Array(70) })).toThrow(RangeError);
    const unsorted = entries(2);
    unsorted[0] = 5;
    expect(() => encodeHeaderBody({ ...fields(), entries: unsorted })).toThrow(Malformed);
  });

  it('decoding rejects each malformed field with a coded error', () => {
    const good = encodeHeader(fields(2));
    const mutate = (f: (b: Uint8Array) => void) => {
      const b = Uint8Array.from(good);
      f(b);
      return b;
    };
    expect(() => decodeHeader(mutate((b) => (b[0] = 3)))).toThrow(UnsupportedVersion);
    expect(() => decodeHeader(mutate((b) => b.fill(0, 1, 5)))).toThrow(Malformed); // epoch 0
    expect(() => decodeHeader(mutate((b) => (b[30] = 3)))).toThrow(Malformed); // count not a power of two
    expect(() => decodeHeader(mutate((b) => (b[30] = 4)))).toThrow(Malformed); // count past the end
    expect(() => decodeHeader(mutate((b) => ((b[29] = 2), (b[30] = 0))))).toThrow(Malformed); // 512 > cap
    expect(() => decodeHeader(mutate((b) => (b[31 + ENTRY_LENGTH] = 0)))).toThrow(Malformed); // duplicate locator
    const escrowLen = 31 + 2 * ENTRY_LENGTH;
    expect(() => decodeHeader(mutate((b) => (b[escrowLen + 1] = 17)))).toThrow(Malformed); // escrow bucket
    expect(() => decodeHeader(new Uint8Array([...good, 0]))).toThrow(Malformed);
    expect(() => decodeHeader(new Uint8Array(MAX_HEADER_BYTES + 1).fill(1))).toThrow(Malformed);
    expect(() => decodeHeader('AQ' as never)).toThrow(Malformed);
  });

  it('every truncation is Malformed', () => {
    const good = encodeHeader(fields(4));
    for (let n = 0; n < good.length; n++) expect(() => decodeHeader(good.subarray(0, n))).toThrow(Malformed);
  });

  it('random bytes give a header or a coded error, nothing else', () => {
    const good = encodeHeader(fields(2));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          // Mostly-valid headers with a few random bytes changed reach the deeper checks.
          fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }).map((edits) => {
            const b = Uint8Array.from(good);
            for (const [i, v] of edits) b[i] = v;
            return b;
          }),
        ),
        (b) => {
          try {
            decodeHeader(b);
          } catch (e) {
            expect(e).toBeInstanceOf(SealvecError);
            expect(['ERR_MALFORMED', 'ERR_UNSUPPORTED_VERSION']).toContain((e as SealvecError).code);
          }
        },
      ),
      { numRuns: numRuns(500) },
    );
  });
});

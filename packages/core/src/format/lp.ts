/**
 * The same encoding as `lengthPrefixed` in utils.ts (each field: u32 big-endian length, then its
 * bytes), written for the per-record hot paths: one allocation, and ASCII strings copied without
 * a TextEncoder call. The two are checked byte for byte against each other in lp.test.ts.
 */
import { utf8 } from '../utils.js';

export function lp(...fields: (Uint8Array | string)[]): Uint8Array {
  const parts: (Uint8Array | string)[] = new Array(fields.length);
  let total = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as Uint8Array | string;
    if (typeof f === 'string') {
      let ascii = true;
      for (let j = 0; j < f.length; j++) {
        if (f.charCodeAt(j) > 0x7f) {
          ascii = false;
          break;
        }
      }
      const p = ascii ? f : utf8(f);
      parts[i] = p;
      total += 4 + p.length;
    } else {
      parts[i] = f;
      total += 4 + f.length;
    }
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    const n = p.length;
    out[o] = n >>> 24;
    out[o + 1] = (n >>> 16) & 0xff;
    out[o + 2] = (n >>> 8) & 0xff;
    out[o + 3] = n & 0xff;
    o += 4;
    if (typeof p === 'string') {
      for (let j = 0; j < n; j++) out[o + j] = p.charCodeAt(j);
    } else {
      out.set(p, o);
    }
    o += n;
  }
  return out;
}

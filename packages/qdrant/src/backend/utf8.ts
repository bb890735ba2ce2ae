/**
 * The UTF-8 byte length of a string, without encoding it. Batches are capped by request bytes;
 * this counts them the same way on every runtime (Buffer.byteLength exists only on Node).
 * A lone surrogate counts 3 bytes, as its U+FFFD replacement will be encoded.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

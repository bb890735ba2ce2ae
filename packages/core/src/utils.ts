/**
 * Shared argument checks and byte helpers. One message shape everywhere:
 *   "key" expected Uint8Array of length 32, got length=16
 * TypeError for a wrong type, RangeError for a wrong length or range.
 */
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import { Malformed } from './errors.js';

export function isBytes(a: unknown): a is Uint8Array {
  return a instanceof Uint8Array || (ArrayBuffer.isView(a) && a.constructor.name === 'Uint8Array');
}

/** Asserts `value` is a Uint8Array, optionally of one of the given lengths. */
export function abytes(value: unknown, name: string, ...lengths: number[]): Uint8Array {
  if (!isBytes(value)) {
    throw new TypeError(`"${name}" expected Uint8Array, got type=${typeName(value)}`);
  }
  if (lengths.length > 0 && !lengths.includes(value.length)) {
    throw new RangeError(`"${name}" expected Uint8Array of length ${lengths.join(' or ')}, got length=${value.length}`);
  }
  return value;
}

/** Asserts `value` is a safe integer within [min, max]. */
export function aint(value: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`"${name}" expected integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`"${name}" expected integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** Asserts `value` is a finite number within [min, max] (exclusive bounds when `open`). */
export function afinite(value: unknown, name: string, min = -Infinity, max = Infinity, open = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`"${name}" expected finite number, got ${describe(value)}`);
  }
  const ok = open ? value > min && value < max : value >= min && value <= max;
  if (!ok) {
    const [l, r] = open ? ['(', ')'] : ['[', ']'];
    throw new RangeError(`"${name}" expected number in ${l}${min}, ${max}${r}, got ${value}`);
  }
  return value;
}

export function astring(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`"${name}" expected string, got ${describe(value)}`);
  return value;
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

function describe(v: unknown): string {
  return typeof v === 'number' ? String(v) : `type=${typeName(v)}`;
}

export function randomBytes(n: number): Uint8Array {
  return nobleRandomBytes(n);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Strict UTF-8 decode: invalid sequences are a Malformed error, never replacement characters. */
export function fromUtf8(b: Uint8Array, what = 'text'): string {
  try {
    return decoder.decode(b);
  } catch (cause) {
    throw new Malformed(`${what} is not valid UTF-8`, { cause });
  }
}

export function u32be(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, false);
  return b;
}

/**
 * Unambiguous encoding of a sequence of fields: each is a 4-byte big-endian length then its
 * bytes. Used for every KDF info string and every MAC/AEAD associated-data so that no two
 * different field lists can encode to the same bytes.
 */
export function lengthPrefixed(...fields: (Uint8Array | string)[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    const b = typeof f === 'string' ? utf8(f) : f;
    parts.push(u32be(b.length), b);
  }
  return concatBytes(...parts);
}

/** Constant-time equality for byte arrays (time depends on length only). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Overwrites secret material in place. Best effort: JS gives no guarantee about copies. */
export function clean(...arrays: (Uint8Array | Float64Array | Float32Array)[]): void {
  for (const a of arrays) a.fill(0);
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_REV = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64URL.length; i++) t[B64URL.charCodeAt(i)] = i;
  return t;
})();

/** base64url without padding (RFC 4648 section 5). */
export function toBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]! + B64URL[n & 63]!;
  }
  const rem = bytes.length - i;
  if (rem === 1) {
    const n = (bytes[i] as number) << 16;
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]!;
  } else if (rem === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]!;
  }
  return out;
}

/**
 * Strict base64url decode: rejects padding, other alphabets, impossible lengths and non-zero
 * trailing bits, so every byte string has exactly one accepted encoding.
 */
export function fromBase64url(s: string, what = 'base64url'): Uint8Array {
  if (typeof s !== 'string') throw new Malformed(`${what} is not a string`);
  if (s.length % 4 === 1) throw new Malformed(`${what} has an impossible length`);
  const outLen = Math.floor((s.length * 3) / 4);
  const out = new Uint8Array(outLen);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (B64URL_REV[c] as number) : -1;
    if (v < 0) throw new Malformed(`${what} contains a character outside the base64url alphabet`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) throw new Malformed(`${what} has non-zero trailing bits`);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s: string, what = 'hex'): Uint8Array {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) {
    throw new Malformed(`${what} is not lowercase hex of even length`);
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

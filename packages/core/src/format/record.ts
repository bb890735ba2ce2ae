/**
 * The stored record: every field of a SealedRecord as a JSON-safe value, ready to be a Qdrant
 * point's payload (the ciphertext vector goes in the point's vector). Encoding and strict,
 * bounded decoding; no cryptography (authenticity is checked by `open`).
 *
 *   { "sv": 2, "id": "...", "tnt": "...", "kid": "16 hex", "ep": 1,
 *     "n": b64u(16), "t": b64u(16), "h": b64u(header), "p": b64u(sealed payload),
 *     "x"?: b64u(sealed exact vector), "pf"?: [22-char tokens], "bi"?: { field: [16-char tokens] },
 *     "s": b64u(64-byte writer signature) }
 *
 * Format v1 records (`sv: 1`, no `s`) still decode, for reading and migrating old collections.
 *
 * Decoding treats the payload as hostile (anything could have been edited in the database):
 * exact types, lengths, ranges, alphabets and orders, each bounded before it is read; the header
 * is decoded too, and its epoch must equal `ep`. Keys outside the list above are ignored (and not
 * authenticated), so the collection layer may store its own fields beside these.
 */
import { Malformed, UnsupportedVersion } from '../errors.js';
import { decodeHeader } from '../header/format.js';
import type { CandidateRecord, SealedRecord } from '../record/types.js';
import { fromBase64url, isWellFormed, toBase64url, utf8 } from '../utils.js';
import {
  AEAD_TAG_LENGTH,
  BLIND_INDEX_TOKEN_BYTES,
  FIELD_NAME_PATTERN,
  KID_PATTERN,
  MAX_BLIND_INDEX_FIELDS,
  MAX_BLIND_INDEX_VALUES,
  MAX_EPOCH,
  MAX_HEADER_BYTES,
  MAX_HEADER_ENTRIES,
  MAX_PAYLOAD_BYTES,
  MAX_RECORD_ID_BYTES,
  MAX_TENANT_BYTES,
  MAX_VECTOR_DIMENSION,
  MIN_EPOCH,
  PREFILTER_TOKEN_BYTES,
  READABLE_FORMAT_VERSIONS,
  RECORD_SIGNATURE_LENGTH,
  SEAL_NONCE_LENGTH,
  VECTOR_NONCE_LENGTH,
  VECTOR_TAG_LENGTH,
} from './constants.js';

export interface StoredPayload {
  sv: number;
  id: string;
  tnt: string;
  kid: string;
  ep: number;
  n: string;
  t: string;
  h: string;
  p: string;
  x?: string;
  pf?: string[];
  bi?: Record<string, string[]>;
  /** Format v2: the writer's signature. */
  s?: string;
}

export interface StoredPoint {
  /** The ciphertext vector as plain numbers (each exactly a float32 value). */
  vector: number[];
  payload: StoredPayload;
}

/** Characters of base64url for n bytes. */
const b64len = (n: number): number => Math.ceil((n * 4) / 3);

/** Largest sealed payload and sealed exact vector, in bytes. */
export const MAX_SEALED_PAYLOAD_BYTES = SEAL_NONCE_LENGTH + MAX_PAYLOAD_BYTES + AEAD_TAG_LENGTH;
export const MAX_SEALED_VECTOR_BYTES = SEAL_NONCE_LENGTH + 1 + 4 * MAX_VECTOR_DIMENSION + AEAD_TAG_LENGTH;
const MIN_SEALED_BYTES = SEAL_NONCE_LENGTH + AEAD_TAG_LENGTH + 1;

export interface EncodeOptions {
  /**
   * The base64url (unpadded) encoder to use. Default: core's portable one. Node callers encoding
   * many records may pass `(b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url')`,
   * which yields the same text faster; the field mapping stays here either way.
   */
  toBase64url?: (bytes: Uint8Array) => string;
}

export function encodeStoredPayload(r: SealedRecord, options: EncodeOptions = {}): StoredPayload {
  const b64 = options.toBase64url ?? toBase64url;
  const p: StoredPayload = {
    sv: r.version,
    id: r.id,
    tnt: r.tenant,
    kid: r.kid,
    ep: r.epoch,
    n: b64(r.nonce),
    t: b64(r.tag),
    h: b64(r.header),
    p: b64(r.payload),
  };
  if (r.exact !== undefined) p.x = b64(r.exact);
  if (r.prefilter !== undefined) p.pf = r.prefilter.slice();
  if (r.blindIndex !== undefined) {
    const bi: Record<string, string[]> = {};
    for (const f of Object.keys(r.blindIndex).sort()) bi[f] = (r.blindIndex[f] as string[]).slice();
    p.bi = bi;
  }
  if (r.signature !== undefined) p.s = b64(r.signature);
  return p;
}

export function encodeStoredPoint(r: SealedRecord): StoredPoint {
  return { vector: Array.from(r.vector), payload: encodeStoredPayload(r) };
}

// ---- Decoding -----------------------------------------------------------------------------------

function str(o: Record<string, unknown>, key: string, maxChars: number): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Malformed(`stored field "${key}" must be a string`);
  if (v.length > maxChars) throw new Malformed(`stored field "${key}" is longer than ${maxChars} characters`);
  return v;
}

function bytes(o: Record<string, unknown>, key: string, min: number, max: number): Uint8Array {
  const b = fromBase64url(str(o, key, b64len(max)), `stored field "${key}"`);
  if (b.length < min || b.length > max) throw new Malformed(`stored field "${key}" must hold ${min === max ? min : `${min} to ${max}`} bytes`);
  return b;
}

function tokenList(v: unknown, what: string, bytesEach: number, maxCount: number): string[] {
  if (!Array.isArray(v)) throw new Malformed(`${what} must be an array of tokens`);
  if (v.length > maxCount) throw new Malformed(`${what} has more than ${maxCount} tokens`);
  const chars = b64len(bytesEach);
  let prev = '';
  for (let i = 0; i < v.length; i++) {
    const t = v[i];
    if (typeof t !== 'string' || t.length !== chars) throw new Malformed(`${what}[${i}] must be a ${chars}-character token`);
    fromBase64url(t, `${what}[${i}]`);
    if (i > 0 && !(prev < t)) throw new Malformed(`${what} must be sorted without duplicates`);
    prev = t;
  }
  return v.slice() as string[];
}

function formatVersion(o: Record<string, unknown>): number {
  if (o.sv === undefined) throw new Malformed('stored payload has no "sv" (format version)');
  if (typeof o.sv !== 'number' || !Number.isSafeInteger(o.sv)) throw new Malformed('stored field "sv" must be an integer');
  if (!READABLE_FORMAT_VERSIONS.includes(o.sv)) {
    throw new UnsupportedVersion(`stored format version ${o.sv} is not supported (this build reads ${READABLE_FORMAT_VERSIONS.join(', ')})`);
  }
  return o.sv;
}

/**
 * The record id and tenant: bounded in UTF-8 bytes, and well-formed Unicode (a lone surrogate
 * encodes like U+FFFD, so the string could alias another; the binding checks refuse it too, but
 * as a programmer's error, not as bad stored data).
 */
function idAndTenant(o: Record<string, unknown>): { id: string; tnt: string } {
  const id = str(o, 'id', MAX_RECORD_ID_BYTES);
  const idBytes = utf8(id).length;
  if (idBytes === 0 || idBytes > MAX_RECORD_ID_BYTES || !isWellFormed(id)) {
    throw new Malformed(`stored field "id" must be 1 to ${MAX_RECORD_ID_BYTES} UTF-8 bytes of well-formed Unicode`);
  }
  const tnt = str(o, 'tnt', MAX_TENANT_BYTES);
  if (utf8(tnt).length > MAX_TENANT_BYTES) throw new Malformed(`stored field "tnt" is longer than ${MAX_TENANT_BYTES} UTF-8 bytes`);
  if (!isWellFormed(tnt)) throw new Malformed('stored field "tnt" is not well-formed Unicode');
  return { id, tnt };
}

/** Validates a stored payload (hostile input) and returns it typed. */
export function validateStoredPayload(payload: unknown): StoredPayload {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Malformed('stored payload must be a JSON object');
  const o = payload as Record<string, unknown>;
  const sv = formatVersion(o);
  const { id, tnt } = idAndTenant(o);
  const kid = str(o, 'kid', 16);
  if (!KID_PATTERN.test(kid)) throw new Malformed('stored field "kid" must be 16 lowercase hex digits');
  const ep = o.ep;
  if (typeof ep !== 'number' || !Number.isSafeInteger(ep) || ep < MIN_EPOCH || ep > MAX_EPOCH) {
    throw new Malformed(`stored field "ep" must be an integer in [${MIN_EPOCH}, ${MAX_EPOCH}]`);
  }
  const out: StoredPayload = {
    sv,
    id,
    tnt,
    kid,
    ep,
    n: toBase64url(bytes(o, 'n', VECTOR_NONCE_LENGTH, VECTOR_NONCE_LENGTH)),
    t: toBase64url(bytes(o, 't', VECTOR_TAG_LENGTH, VECTOR_TAG_LENGTH)),
    h: str(o, 'h', b64len(MAX_HEADER_BYTES)),
    p: str(o, 'p', b64len(MAX_SEALED_PAYLOAD_BYTES)),
  };
  const header = decodeHeader(fromBase64url(out.h, 'stored field "h"'));
  if (header.epoch !== ep) throw new Malformed('stored field "ep" does not match the header epoch');
  bytes(o, 'p', MIN_SEALED_BYTES, MAX_SEALED_PAYLOAD_BYTES);
  if (o.x !== undefined) {
    bytes(o, 'x', MIN_SEALED_BYTES, MAX_SEALED_VECTOR_BYTES);
    out.x = o.x as string;
  }
  if (o.pf !== undefined) {
    out.pf = tokenList(o.pf, 'stored field "pf"', PREFILTER_TOKEN_BYTES, MAX_HEADER_ENTRIES);
    if (out.pf.length !== header.entryCount) throw new Malformed('stored field "pf" must have one token per header entry');
  }
  if (o.bi !== undefined) {
    const bi = o.bi;
    if (typeof bi !== 'object' || bi === null || Array.isArray(bi)) throw new Malformed('stored field "bi" must be an object');
    const keys = Object.keys(bi);
    if (keys.length > MAX_BLIND_INDEX_FIELDS) throw new Malformed(`stored field "bi" has more than ${MAX_BLIND_INDEX_FIELDS} fields`);
    // A null-prototype map: a key named "__proto__" would otherwise set the prototype and vanish
    // from the map (and from what the payload AAD and the signature cover). No writer makes one.
    const map: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const k of keys.sort()) {
      if (!FIELD_NAME_PATTERN.test(k) || k === '__proto__') throw new Malformed(`stored field "bi" has a bad field name`);
      const list = tokenList((bi as Record<string, unknown>)[k], `stored field "bi.${k}"`, BLIND_INDEX_TOKEN_BYTES, MAX_BLIND_INDEX_VALUES);
      if (list.length === 0) throw new Malformed(`stored field "bi.${k}" is empty`);
      map[k] = list;
    }
    out.bi = map;
  }
  if (sv >= 2) {
    bytes(o, 's', RECORD_SIGNATURE_LENGTH, RECORD_SIGNATURE_LENGTH);
    out.s = o.s as string;
  } else if (o.s !== undefined) {
    throw new Malformed('a format v1 record has no signature field "s"');
  }
  return out;
}

/** Validates a stored vector: finite numbers, the expected length when given. Returns float32. */
export function decodeStoredVector(vector: unknown, storedDimension?: number): Float32Array {
  const isArray = Array.isArray(vector) || vector instanceof Float32Array || vector instanceof Float64Array;
  if (!isArray) throw new Malformed('stored vector must be an array of numbers');
  const v = vector as ArrayLike<unknown>;
  if (v.length === 0 || v.length > MAX_VECTOR_DIMENSION + 1) throw new Malformed(`stored vector must have 1 to ${MAX_VECTOR_DIMENSION + 1} values`);
  if (storedDimension !== undefined && v.length !== storedDimension) {
    throw new Malformed(`stored vector has dimension ${v.length}, expected ${storedDimension}`);
  }
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new Malformed(`stored vector value ${i} is not a finite number`);
    out[i] = x;
    if (!Number.isFinite(out[i])) throw new Malformed(`stored vector value ${i} overflows float32`);
  }
  return out;
}

/** A SealedRecord from a stored point's payload and vector (both hostile input). */
export function decodeStoredPoint(payload: unknown, vector: unknown, options: { storedDimension?: number } = {}): SealedRecord {
  const p = validateStoredPayload(payload);
  const r: SealedRecord = {
    version: p.sv,
    id: p.id,
    tenant: p.tnt,
    kid: p.kid,
    epoch: p.ep,
    vector: decodeStoredVector(vector, options.storedDimension),
    nonce: fromBase64url(p.n),
    tag: fromBase64url(p.t),
    header: fromBase64url(p.h),
    payload: fromBase64url(p.p),
  };
  if (p.x !== undefined) r.exact = fromBase64url(p.x);
  if (p.pf !== undefined) r.prefilter = p.pf;
  if (p.bi !== undefined) r.blindIndex = p.bi;
  if (p.s !== undefined) r.signature = fromBase64url(p.s);
  return r;
}

/**
 * A search candidate from a stored payload holding at least CANDIDATE_FIELDS (hostile input,
 * validated like a full record; other keys are ignored). Format v2 records with a sealed exact
 * vector only: anything else is Malformed here, and goes through the full path instead.
 */
export function decodeStoredCandidate(payload: unknown): CandidateRecord {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Malformed('stored payload must be a JSON object');
  const o = payload as Record<string, unknown>;
  const sv = formatVersion(o);
  if (sv < 2) throw new Malformed('format v1 records are not read as lean candidates');
  const { id, tnt } = idAndTenant(o);
  const kid = str(o, 'kid', 16);
  if (!KID_PATTERN.test(kid)) throw new Malformed('stored field "kid" must be 16 lowercase hex digits');
  const ep = o.ep;
  if (typeof ep !== 'number' || !Number.isSafeInteger(ep) || ep < MIN_EPOCH || ep > MAX_EPOCH) {
    throw new Malformed(`stored field "ep" must be an integer in [${MIN_EPOCH}, ${MAX_EPOCH}]`);
  }
  const header = bytes(o, 'h', 1, MAX_HEADER_BYTES);
  const h = decodeHeader(header);
  if (h.epoch !== ep) throw new Malformed('stored field "ep" does not match the header epoch');
  if (o.x === undefined) throw new Malformed('stored record has no sealed exact vector "x"');
  const c: CandidateRecord = {
    version: sv,
    id,
    tenant: tnt,
    kid,
    epoch: ep,
    nonce: bytes(o, 'n', VECTOR_NONCE_LENGTH, VECTOR_NONCE_LENGTH),
    tag: bytes(o, 't', VECTOR_TAG_LENGTH, VECTOR_TAG_LENGTH),
    header,
    exact: bytes(o, 'x', MIN_SEALED_BYTES, MAX_SEALED_VECTOR_BYTES),
  };
  if (o.pf !== undefined) {
    c.prefilter = tokenList(o.pf, 'stored field "pf"', PREFILTER_TOKEN_BYTES, MAX_HEADER_ENTRIES);
    if (c.prefilter.length !== h.entryCount) throw new Malformed('stored field "pf" must have one token per header entry');
  }
  return c;
}

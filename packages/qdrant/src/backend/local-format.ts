/**
 * The on-disk forms of one local collection: a snapshot file and an append-only log of the
 * changes made since. Bytes only: no file system access here (./local-persist.ts does the I/O).
 *
 * Snapshot (`.svcol`), replaced only by rename, so it is never torn:
 *   offset  size  field
 *   0       4     magic "SVLC"
 *   4       4     format version, u32 little-endian (1)
 *   8       4     header length H in bytes, u32 little-endian
 *   12      H     header: UTF-8 JSON { name, dimension, distance, tenantField?, keywordFields,
 *                 metadata, seq, ids: string[], payloads: object[] } (ids and payloads in slot
 *                 order; seq = the last log record whose effect the snapshot includes)
 *   12+H    0..3  zero padding to a multiple of 4
 *   ...     4*n*d vectors: n rows of d float32 little-endian, in slot order
 *   end-4   4     CRC-32 (zlib) of every preceding byte, u32 little-endian
 *
 * Log (`.svlog`): magic "SVLG", u32 version (1), then records, each framed as
 *   u32 length L | u32 CRC-32 of the L bytes | L bytes: u32 header length H | UTF-8 JSON header
 *   { seq, op: 'upsert', ids, payloads } | { seq, op: 'delete', ids } | { seq, op: 'set', updates }
 *   | zero padding to a multiple of 4 | for upserts, ids.length x d float32 little-endian
 * Records are applied in order on top of the snapshot, skipping those with seq <= snapshot seq
 * (already included). Only the last record can be torn by a crash (appends are sequential and
 * each caller returns after fsync); it is recognised (short, bad CRC at the very end, or zeros)
 * and dropped. A bad record followed by more data is damage, not a crash: Malformed.
 *
 * JSON keeps headers readable and payloads exactly as the caller gave them; vectors stay binary
 * (4 bytes a value instead of ~12 as text). The CRCs turn files damaged outside our control
 * into a clear Malformed error instead of silently wrong vectors.
 */
import { crc32 } from 'node:zlib';
import { Malformed, UnsupportedVersion } from '@sealvec/core';
import { LocalCollection, type CollectionInfo } from './local-store.js';
import type { Payload } from './types.js';

export const MAGIC = Uint8Array.of(0x53, 0x56, 0x4c, 0x43); // "SVLC"
export const FORMAT_VERSION = 1;
const PREFIX_BYTES = 12;
const CRC_BYTES = 4;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

interface Header extends CollectionInfo {
  seq: number;
  ids: string[];
  payloads: Payload[];
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** Float32 values as little-endian bytes. */
function vectorBytes(v: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const out = new Uint8Array(v.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) dv.setFloat32(i * 4, v[i] as number, true);
  return out;
}

/**
 * Encodes a snapshot of `c` as a list of chunks to write in order. The chunks are copies, so the
 * collection may change while they are being written.
 */
export function encodeCollection(c: LocalCollection, seq: number): Uint8Array[] {
  const ids: string[] = [];
  const payloads: Payload[] = [];
  for (const e of c.entries()) {
    ids.push(e.id);
    payloads.push(e.payload);
  }
  const header: Header = { ...c.info, seq, ids, payloads };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((PREFIX_BYTES + json.length) % 4)) % 4;
  const chunks: Uint8Array[] = [MAGIC, u32(FORMAT_VERSION), u32(json.length), json, new Uint8Array(pad)];
  const d = c.dimension;
  const vectors = new Float32Array(c.size * d);
  let off = 0;
  for (const v of c.vectors()) {
    vectors.set(v, off);
    off += d;
  }
  chunks.push(vectorBytes(vectors));
  let crc = 0;
  // Node 20 zlib.crc32 returns 0 (not `value`) for an empty view of a zero-length buffer: skip empties.
  for (const ch of chunks) if (ch.length > 0) crc = crc32(ch, crc);
  chunks.push(u32(crc));
  return chunks;
}

function fail(what: string, detail: string): never {
  throw new Malformed(`${what}: ${detail}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkHeader(h: unknown, what: string): Header {
  if (!isObject(h)) fail(what, 'header is not an object');
  const { name, dimension, distance, tenantField, keywordFields, metadata, seq, ids, payloads } = h;
  if (typeof name !== 'string' || name.length === 0) fail(what, 'header.name is not a non-empty string');
  if (typeof dimension !== 'number' || !Number.isSafeInteger(dimension) || dimension < 1) fail(what, 'header.dimension is not a positive integer');
  if (distance !== 'Euclid' && distance !== 'Dot') fail(what, 'header.distance is not Euclid or Dot');
  if (tenantField !== undefined && typeof tenantField !== 'string') fail(what, 'header.tenantField is not a string');
  if (!Array.isArray(keywordFields) || !keywordFields.every((f) => typeof f === 'string')) fail(what, 'header.keywordFields is not a list of strings');
  if (!isObject(metadata)) fail(what, 'header.metadata is not an object');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) fail(what, 'header.seq is not a non-negative integer');
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) fail(what, 'header.ids is not a list of strings');
  if (new Set(ids).size !== ids.length) fail(what, 'header.ids has duplicates');
  if (!Array.isArray(payloads) || payloads.length !== ids.length || !payloads.every(isObject)) {
    fail(what, 'header.payloads is not one object per id');
  }
  const info: Header = { name, dimension, distance, keywordFields: keywordFields as string[], metadata, seq, ids: ids as string[], payloads: payloads as Payload[] };
  if (tenantField !== undefined) info.tenantField = tenantField;
  return info;
}

/** Decodes one snapshot file; `what` names it in errors (e.g. the file path). */
export function decodeCollection(bytes: Uint8Array, what = 'collection file'): { collection: LocalCollection; seq: number } {
  if (bytes.length < PREFIX_BYTES + CRC_BYTES) fail(what, `too short (${bytes.length} bytes)`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) fail(what, 'not a Sealvec local collection (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new UnsupportedVersion(`${what}: format version ${version} is not supported (expected ${FORMAT_VERSION})`);
  const stored = dv.getUint32(bytes.length - CRC_BYTES, true);
  if (crc32(bytes.subarray(0, bytes.length - CRC_BYTES)) !== stored) fail(what, 'checksum mismatch');
  const headerLen = dv.getUint32(8, true);
  if (PREFIX_BYTES + headerLen > bytes.length - CRC_BYTES) fail(what, 'header length exceeds the file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLen)));
  } catch {
    fail(what, 'header is not valid UTF-8 JSON');
  }
  const h = checkHeader(parsed, what);
  const start = PREFIX_BYTES + headerLen + ((4 - ((PREFIX_BYTES + headerLen) % 4)) % 4);
  const vecLen = bytes.length - CRC_BYTES - start;
  if (vecLen !== h.ids.length * h.dimension * 4) {
    fail(what, `vector section is ${vecLen} bytes, expected ${h.ids.length} x ${h.dimension} float32`);
  }
  const { ids, payloads, seq, ...info } = h;
  const c = new LocalCollection(info);
  const row = new Float32Array(h.dimension);
  const rowBytes = new Uint8Array(row.buffer);
  for (let i = 0; i < ids.length; i++) {
    const off = start + i * h.dimension * 4;
    if (LITTLE_ENDIAN) rowBytes.set(bytes.subarray(off, off + h.dimension * 4));
    else for (let j = 0; j < h.dimension; j++) row[j] = dv.getFloat32(off + j * 4, true);
    c.upsert(ids[i] as string, row, payloads[i] as Payload);
  }
  return { collection: c, seq };
}

// ---- the change log ---------------------------------------------------------------------------

export const LOG_MAGIC = Uint8Array.of(0x53, 0x56, 0x4c, 0x47); // "SVLG"
export const LOG_VERSION = 1;
const LOG_HEADER_BYTES = 8;
const FRAME_BYTES = 8;

/** A change to a collection, as the log records it. */
export type Change =
  | { op: 'upsert'; ids: string[]; payloads: Payload[]; vectors: Float32Array }
  | { op: 'delete'; ids: string[] }
  | { op: 'set'; updates: { id: string; payload: Payload }[] };

export type LogRecord = Change & { seq: number };

export function encodeLogHeader(): Uint8Array {
  const out = new Uint8Array(LOG_HEADER_BYTES);
  out.set(LOG_MAGIC);
  new DataView(out.buffer).setUint32(4, LOG_VERSION, true);
  return out;
}

/** One framed record; the bytes are a copy, independent of the caller's arrays. */
export function encodeLogRecord(r: LogRecord): Uint8Array {
  const { vectors, ...rest } = r.op === 'upsert' ? r : { ...r, vectors: undefined };
  const json = new TextEncoder().encode(JSON.stringify(rest));
  const pad = (4 - ((4 + json.length) % 4)) % 4;
  const vecBytes = vectors === undefined ? 0 : vectors.length * 4;
  const len = 4 + json.length + pad + vecBytes;
  const out = new Uint8Array(FRAME_BYTES + len);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, len, true);
  dv.setUint32(FRAME_BYTES, json.length, true);
  out.set(json, FRAME_BYTES + 4);
  if (vectors !== undefined) out.set(vectorBytes(vectors), FRAME_BYTES + 4 + json.length + pad);
  dv.setUint32(4, crc32(out.subarray(FRAME_BYTES)), true);
  return out;
}

function checkRecord(h: unknown, vec: Uint8Array, dimension: number, what: string): LogRecord {
  if (!isObject(h)) fail(what, 'log record header is not an object');
  const { seq, op } = h;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) fail(what, 'log record seq is not a positive integer');
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (op === 'delete') {
    if (!strings(h['ids']) || vec.length !== 0) fail(what, 'bad delete record');
    return { seq, op, ids: h['ids'] };
  }
  if (op === 'set') {
    const u = h['updates'];
    if (!Array.isArray(u) || !u.every((x) => isObject(x) && typeof x['id'] === 'string' && isObject(x['payload'])) || vec.length !== 0) {
      fail(what, 'bad set-payload record');
    }
    return { seq, op, updates: u as { id: string; payload: Payload }[] };
  }
  if (op === 'upsert') {
    const { ids, payloads } = h;
    if (!strings(ids) || !Array.isArray(payloads) || payloads.length !== ids.length || !payloads.every(isObject)) fail(what, 'bad upsert record');
    if (vec.length !== ids.length * dimension * 4) fail(what, 'upsert record vectors do not match the dimension');
    const vectors = new Float32Array(ids.length * dimension);
    if (LITTLE_ENDIAN) new Uint8Array(vectors.buffer).set(vec);
    else {
      const dv = new DataView(vec.buffer, vec.byteOffset, vec.byteLength);
      for (let i = 0; i < vectors.length; i++) vectors[i] = dv.getFloat32(i * 4, true);
    }
    return { seq, op, ids, payloads: payloads as Payload[], vectors };
  }
  fail(what, `unknown log record op ${JSON.stringify(op)}`);
}

export interface DecodedLog {
  records: LogRecord[];
  /** Bytes up to the end of the last good record (the file is cut back to this). */
  validLength: number;
  /** True when the file ends with a record cut short by a crash. */
  torn: boolean;
}

const allZero = (b: Uint8Array) => b.every((x) => x === 0);

/** Decodes a log for a collection of `dimension`; `what` names the file in errors. */
export function decodeLog(bytes: Uint8Array, dimension: number, what = 'log file'): DecodedLog {
  if (bytes.length < LOG_HEADER_BYTES) {
    // A crash while the log was being created leaves a prefix of the header (or zeros).
    const prefix = bytes.every((x, i) => x === LOG_MAGIC[i] || (i >= 4 && i < 8)) || allZero(bytes);
    if (!prefix) fail(what, 'not a Sealvec collection log (bad magic)');
    return { records: [], validLength: 0, torn: bytes.length > 0 };
  }
  for (let i = 0; i < 4; i++) if (bytes[i] !== LOG_MAGIC[i]) fail(what, 'not a Sealvec collection log (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== LOG_VERSION) throw new UnsupportedVersion(`${what}: log version ${version} is not supported (expected ${LOG_VERSION})`);
  const records: LogRecord[] = [];
  let off = LOG_HEADER_BYTES;
  while (off < bytes.length) {
    const rest = bytes.subarray(off);
    const torn = { records, validLength: off, torn: true };
    if (rest.length < FRAME_BYTES || allZero(rest)) return torn;
    const len = dv.getUint32(off, true);
    const end = off + FRAME_BYTES + len;
    if (end > bytes.length) return torn;
    const body = bytes.subarray(off + FRAME_BYTES, end);
    if (crc32(body) !== dv.getUint32(off + 4, true) || len < 4) {
      if (end === bytes.length) return torn;
      fail(what, `damaged record at byte ${off}`);
    }
    const h = dv.getUint32(off + FRAME_BYTES, true);
    if (4 + h > len) fail(what, `record at byte ${off} has a header longer than itself`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(4, 4 + h)));
    } catch {
      fail(what, `record at byte ${off} has a header that is not UTF-8 JSON`);
    }
    const start = 4 + h + ((4 - ((4 + h) % 4)) % 4);
    records.push(checkRecord(parsed, body.subarray(Math.min(start, len)), dimension, `${what} at byte ${off}`));
    off = end;
  }
  return { records, validLength: off, torn: false };
}

/** Applies one record to a collection (set-payload on a missing point is skipped). */
export function applyLogRecord(c: LocalCollection, r: LogRecord): void {
  switch (r.op) {
    case 'upsert': {
      const d = c.dimension;
      r.ids.forEach((id, i) => c.upsert(id, r.vectors.subarray(i * d, (i + 1) * d), r.payloads[i] as Payload));
      return;
    }
    case 'delete':
      for (const id of r.ids) c.delete(id);
      return;
    case 'set':
      for (const u of r.updates) c.setPayload(u.id, u.payload);
  }
}

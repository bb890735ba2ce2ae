/**
 * Reader for the embedded store's first on-disk format (up to sealvec 0.1: one snapshot plus an
 * append-only change log per collection), kept only so ./local-migrate.ts can import such a
 * store into SQLite. Bytes only: no file system access here. Nothing writes this format any more.
 *
 * Snapshot (`<hash>.svcol`, replaced by rename, so never torn):
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
 * Log (`<hash>.svlog`): magic "SVLG", u32 version (1), then records, each framed as
 *   u32 length L | u32 CRC-32 of the L bytes | L bytes: u32 header length H | UTF-8 JSON header
 *   { seq, op: 'upsert', ids, payloads } | { seq, op: 'delete', ids } | { seq, op: 'set', updates }
 *   | zero padding to a multiple of 4 | for upserts, ids.length x d float32 little-endian
 * Records apply in order on top of the snapshot, skipping those with seq <= snapshot seq. Only
 * the last record can be torn by a crash (its caller never got an answer): it is recognised
 * (short, bad CRC at the very end, or zeros) and dropped. A bad record followed by more data is
 * damage, not a crash: Malformed.
 */
import { crc32 } from 'node:zlib';
import { Malformed, UnsupportedVersion } from '@sealvec/core';
import type { Distance, Payload } from './types.js';

export const SNAPSHOT_EXT = '.svcol';
export const LOG_EXT = '.svlog';
const MAGIC = Uint8Array.of(0x53, 0x56, 0x4c, 0x43); // "SVLC"
const FORMAT_VERSION = 1;
const PREFIX_BYTES = 12;
const CRC_BYTES = 4;
const LOG_MAGIC = Uint8Array.of(0x53, 0x56, 0x4c, 0x47); // "SVLG"
const LOG_VERSION = 1;
const LOG_HEADER_BYTES = 8;
const FRAME_BYTES = 8;

export interface LegacyInfo {
  name: string;
  dimension: number;
  distance: Distance;
  tenantField?: string;
  keywordFields: string[];
  metadata: Record<string, unknown>;
}

/** A collection's points by id. */
export type LegacyPoints = Map<string, { vector: Float32Array; payload: Payload }>;

export interface LegacySnapshot {
  info: LegacyInfo;
  /** The last log record already included. */
  seq: number;
  points: LegacyPoints;
}

function fail(what: string, detail: string): never {
  throw new Malformed(`${what}: ${detail}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    fail(what, 'is not valid UTF-8 JSON');
  }
}

/** `n` little-endian float32 values starting at `bytes[0]`, as a fresh array. */
function floats(bytes: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n * 4);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
  return out;
}

function checkHeader(h: unknown, what: string): LegacySnapshot['info'] & { seq: number; ids: string[]; payloads: Payload[] } {
  if (!isObject(h)) fail(what, 'header is not an object');
  const { name, dimension, distance, tenantField, keywordFields, metadata, seq, ids, payloads } = h;
  if (typeof name !== 'string' || name.length === 0) fail(what, 'header.name is not a non-empty string');
  if (typeof dimension !== 'number' || !Number.isSafeInteger(dimension) || dimension < 1) fail(what, 'header.dimension is not a positive integer');
  if (distance !== 'Euclid' && distance !== 'Dot') fail(what, 'header.distance is not Euclid or Dot');
  if (tenantField !== undefined && typeof tenantField !== 'string') fail(what, 'header.tenantField is not a string');
  if (!isStrings(keywordFields)) fail(what, 'header.keywordFields is not a list of strings');
  if (!isObject(metadata)) fail(what, 'header.metadata is not an object');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) fail(what, 'header.seq is not a non-negative integer');
  if (!isStrings(ids)) fail(what, 'header.ids is not a list of strings');
  if (new Set(ids).size !== ids.length) fail(what, 'header.ids has duplicates');
  if (!Array.isArray(payloads) || payloads.length !== ids.length || !payloads.every(isObject)) {
    fail(what, 'header.payloads is not one object per id');
  }
  const out = { name, dimension, distance, keywordFields, metadata, seq, ids, payloads: payloads as Payload[] } as LegacySnapshot['info'] & { seq: number; ids: string[]; payloads: Payload[] };
  if (tenantField !== undefined) out.tenantField = tenantField;
  return out;
}

/** Decodes one snapshot file; `what` names it in errors (e.g. the file path). */
export function decodeSnapshot(bytes: Uint8Array, what = 'collection file'): LegacySnapshot {
  if (bytes.length < PREFIX_BYTES + CRC_BYTES) fail(what, `too short (${bytes.length} bytes)`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) fail(what, 'not a Sealvec local collection (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw new UnsupportedVersion(`${what}: format version ${version} is not supported (expected ${FORMAT_VERSION})`);
  if (crc32(bytes.subarray(0, bytes.length - CRC_BYTES)) !== dv.getUint32(bytes.length - CRC_BYTES, true)) fail(what, 'checksum mismatch');
  const headerLen = dv.getUint32(8, true);
  if (PREFIX_BYTES + headerLen > bytes.length - CRC_BYTES) fail(what, 'header length exceeds the file');
  const { ids, payloads, seq, ...info } = checkHeader(parseJson(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLen), `${what} header`), what);
  const start = PREFIX_BYTES + headerLen + ((4 - ((PREFIX_BYTES + headerLen) % 4)) % 4);
  const vecLen = bytes.length - CRC_BYTES - start;
  if (vecLen !== ids.length * info.dimension * 4) {
    fail(what, `vector section is ${vecLen} bytes, expected ${ids.length} x ${info.dimension} float32`);
  }
  const points: LegacyPoints = new Map();
  const rowBytes = info.dimension * 4;
  ids.forEach((id, i) => {
    points.set(id, { vector: floats(bytes.subarray(start + i * rowBytes), info.dimension), payload: payloads[i] as Payload });
  });
  return { info, seq, points };
}

// ---- the change log ---------------------------------------------------------------------------

export type LogRecord =
  | { seq: number; op: 'upsert'; ids: string[]; payloads: Payload[]; vectors: Float32Array }
  | { seq: number; op: 'delete'; ids: string[] }
  | { seq: number; op: 'set'; updates: { id: string; payload: Payload }[] };

function checkRecord(h: unknown, vec: Uint8Array, dimension: number, what: string): LogRecord {
  if (!isObject(h)) fail(what, 'log record header is not an object');
  const { seq, op } = h;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) fail(what, 'log record seq is not a positive integer');
  if (op === 'delete') {
    if (!isStrings(h['ids']) || vec.length !== 0) fail(what, 'bad delete record');
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
    if (!isStrings(ids) || !Array.isArray(payloads) || payloads.length !== ids.length || !payloads.every(isObject)) fail(what, 'bad upsert record');
    if (vec.length !== ids.length * dimension * 4) fail(what, 'upsert record vectors do not match the dimension');
    return { seq, op, ids, payloads: payloads as Payload[], vectors: floats(vec, ids.length * dimension) };
  }
  fail(what, `unknown log record op ${JSON.stringify(op)}`);
}

export interface DecodedLog {
  records: LogRecord[];
  /** True when the file ends with a record cut short by a crash (dropped). */
  torn: boolean;
}

const allZero = (b: Uint8Array) => b.every((x) => x === 0);

/** Decodes a log for a collection of `dimension`; `what` names the file in errors. */
export function decodeLog(bytes: Uint8Array, dimension: number, what = 'log file'): DecodedLog {
  if (bytes.length < LOG_HEADER_BYTES) {
    // A crash while the log was being created leaves a prefix of the header (or zeros).
    const prefix = bytes.every((x, i) => x === LOG_MAGIC[i] || (i >= 4 && i < 8)) || allZero(bytes);
    if (!prefix) fail(what, 'not a Sealvec collection log (bad magic)');
    return { records: [], torn: bytes.length > 0 };
  }
  for (let i = 0; i < 4; i++) if (bytes[i] !== LOG_MAGIC[i]) fail(what, 'not a Sealvec collection log (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== LOG_VERSION) throw new UnsupportedVersion(`${what}: log version ${version} is not supported (expected ${LOG_VERSION})`);
  const records: LogRecord[] = [];
  let off = LOG_HEADER_BYTES;
  while (off < bytes.length) {
    const rest = bytes.subarray(off);
    if (rest.length < FRAME_BYTES || allZero(rest)) return { records, torn: true };
    const len = dv.getUint32(off, true);
    const end = off + FRAME_BYTES + len;
    if (end > bytes.length) return { records, torn: true };
    const body = bytes.subarray(off + FRAME_BYTES, end);
    if (crc32(body) !== dv.getUint32(off + 4, true) || len < 4) {
      if (end === bytes.length) return { records, torn: true };
      fail(what, `damaged record at byte ${off}`);
    }
    const h = dv.getUint32(off + FRAME_BYTES, true);
    if (4 + h > len) fail(what, `record at byte ${off} has a header longer than itself`);
    const parsed = parseJson(body.subarray(4, 4 + h), `${what}: record at byte ${off}`);
    const start = 4 + h + ((4 - ((4 + h) % 4)) % 4);
    records.push(checkRecord(parsed, body.subarray(Math.min(start, len)), dimension, `${what} at byte ${off}`));
    off = end;
  }
  return { records, torn: false };
}

/** Applies the log records newer than `snapshot.seq` to its points, in order. */
export function replay(snapshot: LegacySnapshot, log: DecodedLog): void {
  const { points, info } = snapshot;
  const d = info.dimension;
  for (const r of log.records) {
    if (r.seq <= snapshot.seq) continue; // already in the snapshot
    switch (r.op) {
      case 'upsert':
        r.ids.forEach((id, i) => points.set(id, { vector: r.vectors.slice(i * d, (i + 1) * d), payload: r.payloads[i] as Payload }));
        break;
      case 'delete':
        for (const id of r.ids) points.delete(id);
        break;
      case 'set':
        for (const u of r.updates) {
          const p = points.get(u.id);
          if (p !== undefined) p.payload = { ...p.payload, ...u.payload };
        }
    }
  }
}

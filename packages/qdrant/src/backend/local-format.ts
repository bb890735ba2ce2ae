/**
 * The on-disk form of one local collection. Bytes only: no file system access here.
 *
 *   offset  size  field
 *   0       4     magic "SVLC"
 *   4       4     format version, u32 little-endian (1)
 *   8       4     header length H in bytes, u32 little-endian
 *   12      H     header: UTF-8 JSON { name, dimension, distance, tenantField?, keywordFields,
 *                 metadata, ids: string[], payloads: object[] } (ids and payloads in slot order)
 *   12+H    0..3  zero padding to a multiple of 4
 *   ...     4*n*d vectors: n rows of d float32 little-endian, in slot order
 *   end-4   4     CRC-32 (zlib) of every preceding byte, u32 little-endian
 *
 * JSON keeps the header readable and payloads exactly as the caller gave them; the vectors stay
 * binary (4 bytes a value instead of ~12 as text) and load with one copy. The CRC turns a file
 * damaged outside our control into a clear Malformed error instead of silently wrong vectors;
 * torn writes cannot happen because files are only ever replaced by rename.
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
export function encodeCollection(c: LocalCollection): Uint8Array[] {
  const ids: string[] = [];
  const payloads: Payload[] = [];
  for (const e of c.entries()) {
    ids.push(e.id);
    payloads.push(e.payload);
  }
  const header: Header = { ...c.info, ids, payloads };
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
  const { name, dimension, distance, tenantField, keywordFields, metadata, ids, payloads } = h;
  if (typeof name !== 'string' || name.length === 0) fail(what, 'header.name is not a non-empty string');
  if (typeof dimension !== 'number' || !Number.isSafeInteger(dimension) || dimension < 1) fail(what, 'header.dimension is not a positive integer');
  if (distance !== 'Euclid' && distance !== 'Dot') fail(what, 'header.distance is not Euclid or Dot');
  if (tenantField !== undefined && typeof tenantField !== 'string') fail(what, 'header.tenantField is not a string');
  if (!Array.isArray(keywordFields) || !keywordFields.every((f) => typeof f === 'string')) fail(what, 'header.keywordFields is not a list of strings');
  if (!isObject(metadata)) fail(what, 'header.metadata is not an object');
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) fail(what, 'header.ids is not a list of strings');
  if (new Set(ids).size !== ids.length) fail(what, 'header.ids has duplicates');
  if (!Array.isArray(payloads) || payloads.length !== ids.length || !payloads.every(isObject)) {
    fail(what, 'header.payloads is not one object per id');
  }
  const info: Header = { name, dimension, distance, keywordFields: keywordFields as string[], metadata, ids: ids as string[], payloads: payloads as Payload[] };
  if (tenantField !== undefined) info.tenantField = tenantField;
  return info;
}

/** Decodes one collection file; `what` names it in errors (e.g. the file path). */
export function decodeCollection(bytes: Uint8Array, what = 'collection file'): LocalCollection {
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
  const { ids, payloads, ...info } = h;
  const c = new LocalCollection(info);
  const row = new Float32Array(h.dimension);
  const rowBytes = new Uint8Array(row.buffer);
  for (let i = 0; i < ids.length; i++) {
    const off = start + i * h.dimension * 4;
    if (LITTLE_ENDIAN) rowBytes.set(bytes.subarray(off, off + h.dimension * 4));
    else for (let j = 0; j < h.dimension; j++) row[j] = dv.getFloat32(off + j * 4, true);
    c.upsert(ids[i] as string, row, payloads[i] as Payload);
  }
  return c;
}

/**
 * Checks shared by every reader: vectors are finite float32 of one dimension, ids are short
 * strings, and JSON records have the documented shape. Every error names where it happened.
 */
import { DimensionMismatch, InputTooLarge, InvalidVector, Malformed } from '@sealvec/core';
import type { InputRecord } from './types.js';

/** Largest vector dimension accepted (the cipher's own limit). */
export const MAX_INPUT_DIMENSION = 65_536;
/** Record ids, in UTF-8 bytes (the stored format's limit). */
export const MAX_ID_BYTES = 512;
/** One JSONL line, JSON element or CSV row, in characters: bounds memory on a file without newlines. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

/** Fields of a JSON record with a meaning of their own; any other field goes to the payload. */
const VECTOR_FIELDS = ['vector', 'embedding'] as const;
const RESERVED = new Set(['id', 'vector', 'embedding', 'policy', 'payload']);

/** Tracks the dimension of an input: the first vector's, or the one the caller expects. */
export class DimensionCheck {
  #dimension: number | undefined;
  #from: string;

  constructor(expected?: number) {
    this.#dimension = expected;
    this.#from = 'the expected dimension (--dimension or the collection)';
  }

  get dimension(): number | undefined {
    return this.#dimension;
  }

  check(length: number, where: string): void {
    if (length === 0) throw new InvalidVector(`${where}: vector is empty`);
    if (length > MAX_INPUT_DIMENSION) throw new InputTooLarge(`${where}: vector has dimension ${length}, above ${MAX_INPUT_DIMENSION}`);
    if (this.#dimension === undefined) {
      this.#dimension = length;
      this.#from = `the first record (${where})`;
      return;
    }
    if (length !== this.#dimension) {
      throw new DimensionMismatch(`${where}: vector has dimension ${length}, expected ${this.#dimension} as in ${this.#from}`);
    }
  }
}

/** Throws InvalidVector naming the first value that is not finite in float32. */
export function checkFinite(v: Float32Array, where: string, source?: ArrayLike<number>): void {
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x - x !== 0) {
      const orig = source ? source[i]! : x;
      const what = Number.isNaN(orig) ? 'NaN' : Number.isFinite(orig) ? `${orig} (outside the float32 range)` : String(orig);
      throw new InvalidVector(`${where}: vector has a non-finite value ${what} at index ${i}`);
    }
  }
}

/** A JSON array of numbers -> checked Float32Array. */
export function vectorFromJson(value: unknown, where: string, field: string): Float32Array {
  if (!Array.isArray(value)) throw new Malformed(`${where}: "${field}" must be an array of numbers`);
  const out = new Float32Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const x = value[i];
    if (typeof x !== 'number') {
      throw new Malformed(`${where}: "${field}"[${i}] is ${x === null ? 'null' : typeof x}, expected a number`);
    }
    out[i] = x;
  }
  checkFinite(out, where, value as number[]);
  return out;
}

/** An id from the input (string or integer), or undefined to generate one. */
export function idFromJson(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  let id: string;
  if (typeof value === 'string') id = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) id = String(value);
  else throw new Malformed(`${where}: "id" must be a string or an integer`);
  return checkId(id, where);
}

export function checkId(id: string, where: string): string {
  if (id.length === 0) throw new Malformed(`${where}: "id" is empty`);
  if (Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) throw new InputTooLarge(`${where}: "id" is longer than ${MAX_ID_BYTES} bytes`);
  return id;
}

export function policyFromJson(value: unknown, where: string): string | Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new Malformed(`${where}: "policy" must be a string (role=a,b;group=c) or an object`);
}

/**
 * JSON.parse with messages that name the place. Python's json module writes NaN and Infinity,
 * which are not JSON; they get the same error as a non-finite number in a binary file.
 */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (/(^|[[,:\s])-?(NaN|Infinity)\s*([,\]}]|$)/.test(text)) {
      throw new InvalidVector(`${where}: non-finite number (NaN or Infinity) in the record; vectors must be finite`);
    }
    const detail = e instanceof Error ? e.message : String(e);
    throw new Malformed(`${where}: malformed JSON (${detail})`);
  }
}

/**
 * A parsed JSON record: `{id?, vector|embedding, payload?, policy?, ...other}` or a bare array
 * of numbers. Other fields become the payload when there is no `payload` field.
 */
export function recordFromJson(value: unknown, where: string, index: number, idPrefix: string, dims: DimensionCheck): InputRecord {
  if (Array.isArray(value)) {
    const vector = vectorFromJson(value, where, 'vector');
    dims.check(vector.length, where);
    return { id: idPrefix + index, vector, where };
  }
  if (typeof value !== 'object' || value === null) {
    throw new Malformed(`${where}: expected a JSON object {"id", "vector", "payload", "policy"} or an array of numbers`);
  }
  const o = value as Record<string, unknown>;
  const field = VECTOR_FIELDS.find((f) => o[f] !== undefined);
  if (field === undefined) throw new Malformed(`${where}: record has no "vector" field`);
  const vector = vectorFromJson(o[field], where, field);
  dims.check(vector.length, where);
  const rec: InputRecord = { id: idFromJson(o.id, where) ?? idPrefix + index, vector, where };
  const policy = policyFromJson(o.policy, where);
  if (policy !== undefined) rec.policy = policy;
  if (o.payload !== undefined) {
    rec.payload = o.payload;
  } else {
    let rest: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(o)) {
      if (RESERVED.has(k)) continue;
      (rest ??= {})[k] = v;
    }
    if (rest !== undefined) rec.payload = rest;
  }
  return rec;
}

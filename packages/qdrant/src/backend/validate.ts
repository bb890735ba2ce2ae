/**
 * Argument checks shared by every backend, so that LocalBackend and QdrantBackend reject the
 * same inputs with the same errors before anything is stored or sent.
 *
 * Shapes that only a programmer can get wrong (a non-UUID id, a plain array instead of a
 * Float32Array, a float in a `match`) throw TypeError/RangeError naming the argument, in the
 * message shape of @sealvec/core's utils: `"ids[3]" expected lowercase hyphenated UUID, got ...`.
 * Data problems (wrong dimension, NaN) are coded errors raised by the backends themselves.
 */
import { DimensionMismatch, InputTooLarge, InvalidVector, NotFound } from '@sealvec/core';
import type { CollectionSpec, Distance, Filter, Payload, Point, QueryRequest, ScrollRequest, UpsertOptions } from './types.js';
import { checkFilter } from './filter.js';

/** Qdrant's own limit on vector size. */
export const MAX_DIMENSION = 65_536;
/** Collection names: Qdrant refuses longer names and these characters. */
export const MAX_NAME_LENGTH = 255;
const INVALID_NAME_CHARS = /[<>:"/\\|?*\u0000-\u001f]/;
/** The scheme description is meant to be small; a large one is almost certainly a mistake. */
export const MAX_METADATA_BYTES = 64 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `string of length ${v.length}`;
  return `type=${typeName(v)}`;
}

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}

export function aint(value: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`"${name}" expected integer, got ${show(value)}`);
  }
  if (value < min || value > max) throw new RangeError(`"${name}" expected integer in [${min}, ${max}], got ${value}`);
  return value;
}

export function checkName(name: unknown, what = 'name'): string {
  if (typeof name !== 'string') throw new TypeError(`"${what}" expected string, got ${show(name)}`);
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new RangeError(`"${what}" expected 1 to ${MAX_NAME_LENGTH} characters, got ${name.length}`);
  }
  if (INVALID_NAME_CHARS.test(name)) {
    throw new RangeError(`"${what}" must not contain control characters or any of < > : " / \\ | ? *`);
  }
  return name;
}

export function checkId(id: unknown, what: string): string {
  if (!isUuid(id)) throw new TypeError(`"${what}" expected lowercase hyphenated UUID, got ${show(id)}`);
  return id;
}

export function checkIds(ids: unknown, what: string): string[] {
  if (!Array.isArray(ids)) throw new TypeError(`"${what}" expected array, got ${show(ids)}`);
  ids.forEach((id, i) => checkId(id, `${what}[${i}]`));
  return ids as string[];
}

export function checkVector(v: unknown, what: string): Float32Array {
  if (!(v instanceof Float32Array)) throw new TypeError(`"${what}" expected Float32Array, got ${show(v)}`);
  return v;
}

/** Index of the first NaN/Infinity in `v`, or -1. */
export function firstNonFinite(v: Float32Array): number {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i] as number)) return i;
  return -1;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A payload as the database will hold it: a deep JSON copy, exactly what a JSON round trip over
 * the wire produces (undefined keys dropped, NaN/Infinity become null). Both backends store this
 * copy, so they can never disagree about a value the caller mutates later.
 */
export function checkPayload(p: unknown, what: string): Payload {
  if (!isPlainObject(p)) throw new TypeError(`"${what}" expected plain object, got ${show(p)}`);
  let json: string;
  try {
    json = JSON.stringify(p);
  } catch (cause) {
    throw new TypeError(`"${what}" is not JSON-serializable (${(cause as Error).message})`);
  }
  return JSON.parse(json) as Payload;
}

export function checkPoints(points: unknown): Point[] {
  if (!Array.isArray(points)) throw new TypeError(`"points" expected array, got ${show(points)}`);
  return points.map((p: unknown, i) => {
    if (p === null || typeof p !== 'object') {
      throw new TypeError(`"points[${i}]" expected object, got ${show(p)}`);
    }
    const q = p as Record<string, unknown>;
    return {
      id: checkId(q['id'], `points[${i}].id`),
      vector: checkVector(q['vector'], `points[${i}].vector`),
      payload: checkPayload(q['payload'], `points[${i}].payload`),
    };
  });
}

const DISTANCES: readonly Distance[] = ['Euclid', 'Dot'];

export function checkDistance(d: unknown, what = 'distance'): Distance {
  if (typeof d !== 'string' || !DISTANCES.includes(d as Distance)) {
    throw new TypeError(`"${what}" expected 'Euclid' or 'Dot', got ${typeof d === 'string' ? JSON.stringify(d) : show(d)}`);
  }
  return d as Distance;
}

function checkFieldName(f: unknown, what: string): string {
  if (typeof f !== 'string' || f.length === 0) throw new TypeError(`"${what}" expected non-empty string, got ${show(f)}`);
  return f;
}

/** A JSON copy of a collection's metadata, within MAX_METADATA_BYTES. */
export function checkMetadata(m: unknown, what: string): Record<string, unknown> {
  const metadata = checkPayload(m, what);
  const bytes = new TextEncoder().encode(JSON.stringify(metadata)).length;
  if (bytes > MAX_METADATA_BYTES) {
    throw new InputTooLarge(`collection metadata is ${bytes} bytes as JSON; the limit is ${MAX_METADATA_BYTES}`);
  }
  return metadata;
}

/** A validated copy of the spec: metadata normalized to JSON, keyword fields de-duplicated. */
export function checkSpec(spec: unknown): Required<Omit<CollectionSpec, 'tenantField'>> & { tenantField?: string } {
  if (spec === null || typeof spec !== 'object') throw new TypeError(`"spec" expected object, got ${show(spec)}`);
  const s = spec as Record<string, unknown>;
  const name = checkName(s['name'], 'spec.name');
  const dimension = aint(s['dimension'], 'spec.dimension', 1, MAX_DIMENSION);
  const distance = checkDistance(s['distance'], 'spec.distance');
  const tenantField = s['tenantField'] === undefined ? undefined : checkFieldName(s['tenantField'], 'spec.tenantField');
  let keywordFields: string[] = [];
  if (s['keywordFields'] !== undefined) {
    if (!Array.isArray(s['keywordFields'])) {
      throw new TypeError(`"spec.keywordFields" expected array, got ${show(s['keywordFields'])}`);
    }
    keywordFields = s['keywordFields'].map((f: unknown, i) => checkFieldName(f, `spec.keywordFields[${i}]`));
    // The tenant field gets its own (is_tenant) index; a second keyword index on it would clash.
    keywordFields = [...new Set(keywordFields)].filter((f) => f !== tenantField);
  }
  let integerFields: string[] = [];
  if (s['integerFields'] !== undefined) {
    if (!Array.isArray(s['integerFields'])) {
      throw new TypeError(`"spec.integerFields" expected array, got ${show(s['integerFields'])}`);
    }
    integerFields = [...new Set(s['integerFields'].map((f: unknown, i) => checkFieldName(f, `spec.integerFields[${i}]`)))];
  }
  const metadata = s['metadata'] === undefined ? {} : checkMetadata(s['metadata'], 'spec.metadata');
  const out: Required<Omit<CollectionSpec, 'tenantField'>> & { tenantField?: string } = {
    name,
    dimension,
    distance,
    keywordFields,
    integerFields,
    metadata,
  };
  if (tenantField !== undefined) out.tenantField = tenantField;
  return out;
}

function checkWithVector(v: unknown, what: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TypeError(`"${what}" expected boolean, got ${show(v)}`);
  return v;
}

export interface CheckedQuery {
  vector: Float32Array;
  limit: number;
  filter: Filter | undefined;
  withVector: boolean;
}

export function checkQuery(req: unknown): CheckedQuery {
  if (req === null || typeof req !== 'object') throw new TypeError(`"request" expected object, got ${show(req)}`);
  const r = req as Partial<QueryRequest>;
  return {
    vector: checkVector(r.vector, 'request.vector'),
    limit: aint(r.limit, 'request.limit', 1),
    filter: r.filter === undefined ? undefined : checkFilter(r.filter, 'request.filter'),
    withVector: checkWithVector(r.withVector, 'request.withVector'),
  };
}

export interface CheckedScroll {
  limit: number;
  offset: string | undefined;
  filter: Filter | undefined;
  withVector: boolean;
}

export function checkScroll(req: unknown): CheckedScroll {
  if (req === null || typeof req !== 'object') throw new TypeError(`"request" expected object, got ${show(req)}`);
  const r = req as Partial<ScrollRequest>;
  return {
    limit: aint(r.limit, 'request.limit', 1),
    offset: r.offset === undefined ? undefined : checkId(r.offset, 'request.offset'),
    filter: r.filter === undefined ? undefined : checkFilter(r.filter, 'request.filter'),
    withVector: checkWithVector(r.withVector, 'request.withVector'),
  };
}

export function checkRetrieveOptions(options: unknown): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object') throw new TypeError(`"options" expected object, got ${show(options)}`);
  return checkWithVector((options as { withVector?: unknown }).withVector, 'options.withVector');
}

export type Selector = { ids: string[] } | { filter: Filter };

export function checkSelector(sel: unknown): Selector {
  if (sel === null || typeof sel !== 'object') throw new TypeError(`"selector" expected object, got ${show(sel)}`);
  const s = sel as Record<string, unknown>;
  const hasIds = s['ids'] !== undefined;
  const hasFilter = s['filter'] !== undefined;
  if (hasIds === hasFilter) throw new TypeError('"selector" expected exactly one of { ids } or { filter }');
  return hasIds ? { ids: checkIds(s['ids'], 'selector.ids') } : { filter: checkFilter(s['filter'], 'selector.filter') };
}

export function checkUpdates(updates: unknown): { id: string; payload: Payload }[] {
  if (!Array.isArray(updates)) throw new TypeError(`"updates" expected array, got ${show(updates)}`);
  return updates.map((u: unknown, i) => {
    if (u === null || typeof u !== 'object') throw new TypeError(`"updates[${i}]" expected object, got ${show(u)}`);
    const o = u as Record<string, unknown>;
    return { id: checkId(o['id'], `updates[${i}].id`), payload: checkPayload(o['payload'], `updates[${i}].payload`) };
  });
}

export interface CheckedUpsertOptions {
  batchSize: number | undefined;
  concurrency: number | undefined;
  onProgress: ((stored: number, total: number) => void) | undefined;
}

export function checkUpsertOptions(options: unknown): CheckedUpsertOptions {
  if (options === undefined) return { batchSize: undefined, concurrency: undefined, onProgress: undefined };
  if (options === null || typeof options !== 'object') throw new TypeError(`"options" expected object, got ${show(options)}`);
  const o = options as UpsertOptions;
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new TypeError(`"options.onProgress" expected function, got ${show(o.onProgress)}`);
  }
  return {
    batchSize: o.batchSize === undefined ? undefined : aint(o.batchSize, 'options.batchSize', 1, 100_000),
    concurrency: o.concurrency === undefined ? undefined : aint(o.concurrency, 'options.concurrency', 1, 64),
    onProgress: o.onProgress,
  };
}

/**
 * Keeps the last occurrence of each id, in input order of those last occurrences: upserting
 * [a1, b, a2] means "a is a2", and batches sent concurrently must not race two versions of a.
 */
export function lastWins(points: Point[]): Point[] {
  const last = new Map<string, number>();
  points.forEach((p, i) => last.set(p.id, i));
  return points.filter((p, i) => last.get(p.id) === i);
}

/** Unique ids in first-occurrence order. */
export function uniqueIds(ids: string[]): string[] {
  return [...new Set(ids)];
}

// ---- data checks shared by the backends (coded errors, not programmer errors) ----------------

export function notFound(name: string): NotFound {
  return new NotFound(`collection ${JSON.stringify(name)} does not exist`);
}

export function dimensionError(expected: number, got: number, what: string): DimensionMismatch {
  return new DimensionMismatch(`${what} has dimension ${got}, the collection expects ${expected}`);
}

/** Why a point cannot be stored in a collection of this dimension, or null when it can. */
export function pointProblem(p: Point, dimension: number, what: string): Error | null {
  if (p.vector.length !== dimension) return dimensionError(dimension, p.vector.length, what);
  const bad = firstNonFinite(p.vector);
  if (bad >= 0) return new InvalidVector(`${what} has a non-finite value at index ${bad}`);
  return null;
}


/**
 * Our backend types <-> Qdrant REST bodies (the client's `Schemas`), and batch splitting by
 * size. Pure: no network, no client instance.
 *
 * Collection metadata: Qdrant 1.16 added a collection-level `metadata` object (create with
 * `PUT /collections/{name}` body `metadata`, read back in `GET /collections/{name}` under
 * `result.config.metadata`; Qdrant PR #7123, documented for v1.16). We store the scheme
 * description there, so no reserved point is needed and query/scroll/count see only real points.
 * js-client-rest 1.18.0's `createCollection` wrapper drops unknown arguments including
 * `metadata`, so QdrantBackend calls the generated API (`client.api().createCollection`), whose
 * body type does include it. A server older than 1.16 silently ignores the field; QdrantBackend
 * reads the collection back after creating it and fails loudly if the metadata did not stick.
 */
import type { Schemas } from '@qdrant/js-client-rest';
import { SchemeMismatch } from '@sealvec/core';
import type { CollectionDescription, CollectionSpec, Filter, Payload, Point, ScoredPoint } from './types.js';
import { utf8Length } from './utf8.js';

/** The server's default body limit is 32 MiB; stay well below it. */
export const DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024;
export const DEFAULT_BATCH_SIZE = 256;
/** Ids per retrieve/delete request. */
export const IDS_PER_REQUEST = 1024;

/**
 * A float32 value as the shortest-ish decimal that parses back to the same float32: 9
 * significant digits always suffice (FLT_DECIMAL_DIG), against up to 17 for the float64
 * rendering JSON.stringify would print. Halves the size of vector JSON.
 */
export function f32ForJson(v: number): number {
  if (Number.isInteger(v)) return v === 0 ? 0 : v; // also turns -0 into 0
  const short = Number(v.toPrecision(9));
  return Math.fround(short) === v ? short : v;
}

export function vectorToJson(v: Float32Array): number[] {
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = f32ForJson(v[i] as number);
  return out;
}

export function toWirePoint(p: Point): Schemas['PointStruct'] {
  return { id: p.id, vector: vectorToJson(p.vector), payload: p.payload };
}

/** Bytes this point adds to an upsert body (its JSON plus a separating comma). */
export function wirePointBytes(w: Schemas['PointStruct']): number {
  return utf8Length(JSON.stringify(w)) + 1;
}

/** Our filters use Qdrant's JSON shape already; this copy keeps only the checked keys. */
export function toWireFilter(f: Filter): Schemas['Filter'] {
  return structuredClone(f) as Schemas['Filter'];
}

export function createCollectionBody(spec: CollectionSpec): Schemas['CreateCollection'] {
  return { vectors: { size: spec.dimension, distance: spec.distance }, metadata: spec.metadata ?? {} };
}

/** The payload indexes a collection needs: the tenant field (is_tenant) and keyword fields. */
export function payloadIndexes(spec: CollectionSpec): Schemas['CreateFieldIndex'][] {
  const out: Schemas['CreateFieldIndex'][] = [];
  if (spec.tenantField !== undefined) {
    out.push({ field_name: spec.tenantField, field_schema: { type: 'keyword', is_tenant: true } });
  }
  for (const f of spec.keywordFields ?? []) {
    if (f !== spec.tenantField) out.push({ field_name: f, field_schema: 'keyword' });
  }
  return out;
}

/**
 * Our view of a collection. Anything but one unnamed float vector under Euclid or Dot was not
 * made by us and cannot be used safely: SchemeMismatch.
 */
export function describeFromInfo(name: string, info: Schemas['CollectionInfo']): CollectionDescription {
  const vectors = info.config.params.vectors as unknown;
  if (vectors === null || typeof vectors !== 'object' || !('size' in vectors) || !('distance' in vectors)) {
    throw new SchemeMismatch(`collection ${JSON.stringify(name)} does not have a single unnamed vector`);
  }
  const { size, distance } = vectors as { size: unknown; distance: unknown };
  if (distance !== 'Euclid' && distance !== 'Dot') {
    throw new SchemeMismatch(`collection ${JSON.stringify(name)} uses ${String(distance)} distance; only Euclid and Dot are supported`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) {
    throw new SchemeMismatch(`collection ${JSON.stringify(name)} reports an invalid vector size`);
  }
  const md = info.config.metadata;
  const metadata = md !== null && md !== undefined && typeof md === 'object' && !Array.isArray(md) ? (md as Record<string, unknown>) : {};
  return { name, dimension: size, distance, metadata };
}

/** A vector from a response: plain numbers only (a named or sparse vector is not ours). */
export function vectorFromWire(v: unknown, what: string): Float32Array {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) {
    throw new SchemeMismatch(`${what}: expected a dense unnamed vector in the response`);
  }
  return Float32Array.from(v as number[]);
}

function payloadFromWire(p: unknown): Payload {
  return p !== null && typeof p === 'object' && !Array.isArray(p) ? (p as Payload) : {};
}

export function fromScoredPoint(sp: Schemas['ScoredPoint'], withVector: boolean): ScoredPoint {
  const out: ScoredPoint = { id: String(sp.id), score: sp.score, payload: payloadFromWire(sp.payload) };
  if (withVector) out.vector = vectorFromWire(sp.vector, `point ${String(sp.id)}`);
  return out;
}

export function fromRecord(r: Schemas['Record'], withVector: boolean): Point {
  return {
    id: String(r.id),
    vector: withVector ? vectorFromWire(r.vector, `point ${String(r.id)}`) : new Float32Array(0),
    payload: payloadFromWire(r.payload),
  };
}

/**
 * Groups consecutive items into batches of at most `maxCount` items and `maxBytes` bytes
 * (`sizes[i]` is item i's size). An item larger than `maxBytes` travels alone; the server will
 * judge it. Returns index ranges [start, end).
 */
export function splitBySize(sizes: readonly number[], maxCount: number, maxBytes: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const s = sizes[i] as number;
    if (i > start && (i - start >= maxCount || bytes + s > maxBytes)) {
      out.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += s;
  }
  if (start < sizes.length) out.push([start, sizes.length]);
  return out;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * setPayload updates grouped by identical payload, so that N points getting the same keys cost
 * one request. Several updates of one id are merged in order first, which is what applying them
 * one after the other would do (set_payload overwrites top-level keys and keeps the rest).
 */
export function groupPayloadUpdates(updates: readonly { id: string; payload: Payload }[]): { payload: Payload; ids: string[] }[] {
  const last = new Map<string, Payload>();
  for (const u of updates) last.set(u.id, { ...(last.get(u.id) ?? {}), ...u.payload });
  const groups = new Map<string, { payload: Payload; ids: string[] }>();
  for (const [id, payload] of last) {
    const key = JSON.stringify(payload);
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { payload, ids: [id] });
    else g.ids.push(id);
  }
  return [...groups.values()];
}

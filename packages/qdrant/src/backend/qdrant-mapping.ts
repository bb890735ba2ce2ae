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
import { canonicalPath, payloadPath } from './filter.js';
import type { CollectionDescription, CollectionSpec, Filter, IndexFields, Payload, PayloadSelector, Point, ScoredPoint } from './types.js';
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

/**
 * The payload indexes a collection needs: the tenant field (keyword with is_tenant), keyword
 * fields, and integer fields (lookup for `match`, range for future range filters). Every field a
 * filter uses must be here: Qdrant in strict mode (`unindexed_filtering_retrieve: false`, on by
 * default in Qdrant Cloud) refuses a filter on an unindexed field with 400.
 */
export function payloadIndexes(fields: IndexFields): Schemas['CreateFieldIndex'][] {
  const out: Schemas['CreateFieldIndex'][] = [];
  if (fields.tenantField !== undefined) {
    out.push({ field_name: fields.tenantField, field_schema: { type: 'keyword', is_tenant: true } });
  }
  for (const f of fields.keywordFields ?? []) {
    if (f !== fields.tenantField) out.push({ field_name: f, field_schema: 'keyword' });
  }
  for (const f of fields.integerFields ?? []) out.push({ field_name: f, field_schema: { type: 'integer', lookup: true, range: true } });
  return out;
}

/** Whether an index Qdrant reports (`payload_schema[field]`) serves what `want` asks for. */
function serves(have: unknown, want: Schemas['CreateFieldIndex']['field_schema']): boolean {
  if (have === null || typeof have !== 'object') return false;
  const h = have as { data_type?: unknown; params?: Record<string, unknown> };
  const type = typeof want === 'string' ? want : (want as { type: string }).type;
  if (h.data_type !== type) return false;
  if (type === 'integer') return h.params?.['lookup'] !== false;
  if (typeof want === 'object' && want !== null && (want as { is_tenant?: unknown }).is_tenant === true) return h.params?.['is_tenant'] === true;
  return true;
}

/**
 * The indexes of `wanted` that the collection lacks or has with the wrong type (Qdrant keys
 * `payload_schema` by the canonical path). Creating an index over an existing one replaces it.
 */
export function missingIndexes(info: Schemas['CollectionInfo'], wanted: Schemas['CreateFieldIndex'][]): Schemas['CreateFieldIndex'][] {
  const schema = (info.payload_schema ?? {}) as Record<string, unknown>;
  return wanted.filter((w) => !serves(schema[canonicalPath(w.field_name)], w.field_schema));
}

/** The field holding the tenant, from the collection's `is_tenant` keyword index. */
export function tenantFieldOf(info: Schemas['CollectionInfo']): string | undefined {
  for (const [field, s] of Object.entries(info.payload_schema ?? {})) {
    const params = (s as { params?: Record<string, unknown> } | null)?.params;
    if (params?.['is_tenant'] === true) return field;
  }
  return undefined;
}

/** Whether the collection was made with custom sharding (shard keys). */
export function isCustomSharded(info: Schemas['CollectionInfo']): boolean {
  return (info.config.params as { sharding_method?: unknown }).sharding_method === 'custom';
}

/** `with_payload`: top-level keys become paths, quoted where needed (Qdrant takes paths there). */
export function withPayloadToWire(sel: PayloadSelector): Schemas['WithPayloadInterface'] {
  return typeof sel === 'boolean' ? sel : { include: sel.map((k) => payloadPath(k)) };
}

/** A shard key: what Qdrant accepts as one (a string or an unsigned integer). */
export function asShardKey(v: unknown): string | number | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  return undefined;
}

/**
 * The single tenant a filter is restricted to, from a top-level `must` condition matching one
 * value on the tenant field: a read with it can go to that tenant's shard key only.
 */
export function tenantOfFilter(f: Filter | undefined, tenantField: string): string | number | undefined {
  const want = canonicalPath(tenantField);
  for (const c of f?.must ?? []) {
    if ('key' in c && 'value' in c.match && canonicalPath(c.key) === want) {
      const k = asShardKey(c.match.value);
      if (k !== undefined) return k;
    }
  }
  return undefined;
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

/**
 * One collection of the stand-in: its configuration as Qdrant reports it, payload indexes, shard
 * keys (custom sharding), and points in memory. Pure data structure, no HTTP.
 *
 * Semantics copied from Qdrant (qdrant/qdrant 1.19), each where it is implemented:
 * - ids: integers before UUIDs in scroll order (ExtendedPointId's derived Ord).
 * - scroll: `limit` points from `offset` (inclusive) in id order; `next_page_offset` is the id
 *   after the page, or null.
 * - set payload merges top-level keys and a null value removes its key
 *   (lib/segment/src/common/utils.rs `merge_map`); overwrite replaces the payload.
 * - PATCH metadata merges the same way into existing metadata, or sets it when there was none
 *   (lib/collection/src/collection/collection_ops.rs `update_metadata`).
 * - search: Euclid returns the distance, best first ascending; Dot the inner product, descending.
 *   Scores here are float64 over the stored float32 values (Qdrant computes in float32).
 * - approximate search: a real HNSW index misses some neighbours unless `exact` is set. When the
 *   collection holds more than `approximateAbove` points, a non-exact search here skips each
 *   candidate with probability `missRate(ef)` (deterministic per query and point), with
 *   ef = max(hnsw_ef ?? ef_construct, limit) as in lib/segment/src/index/hnsw_index/
 *   graph_layers.rs. A model of recall loss, not an HNSW graph: it lets tests see what a caller
 *   does when results are approximate.
 */
import { compileFilter } from '../../backend/filter.js';
import type { Filter, Payload } from '../../backend/types.js';
import { type FieldSchema, type StrictModeConfig } from './strict-mode.js';
import { compareIds, idKey, type WireId } from './wire.js';

export type ShardKey = string | number;

export interface StoredPoint {
  id: WireId;
  vector: Float32Array;
  payload: Payload;
  shardKey?: ShardKey;
}

export interface CollectionConfig {
  size: number;
  distance: 'Euclid' | 'Dot';
  /** Other keys of `params.vectors` (on_disk). */
  vectorExtra: Record<string, unknown>;
  params: Record<string, unknown>;
  hnsw: Record<string, unknown>;
  optimizers: Record<string, unknown>;
  wal: Record<string, unknown>;
  quantization: unknown;
  strictMode: StrictModeConfig | undefined;
  metadata: Payload | undefined;
  custom: boolean;
}

export interface ApproximateModel {
  /** Collections with more points than this search approximately unless `exact` (default: never). */
  approximateAbove: number;
  /** Chance that a candidate is missed at a given ef (default min(0.5, 10 / ef)). */
  missRate: (ef: number) => number;
}

export interface SearchInput {
  vector: Float32Array;
  limit: number;
  offset: number;
  filter: Filter | undefined;
  exact: boolean;
  hnswEf: number | undefined;
  scoreThreshold: number | undefined;
  shardKeys: ShardKey[] | undefined;
}

/** FNV-1a over a string, in [0, 1): the stand-in's deterministic "did HNSW find it" coin. */
function coin(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 4294967296;
}

export class StandinCollection {
  readonly points = new Map<string, StoredPoint>();
  readonly indexes = new Map<string, FieldSchema>();
  readonly shardKeys: ShardKey[] = [];
  private sorted: StoredPoint[] | null = null;

  constructor(
    readonly name: string,
    readonly config: CollectionConfig,
  ) {}

  private touch(): void {
    this.sorted = null;
  }

  inIdOrder(): StoredPoint[] {
    this.sorted ??= [...this.points.values()].sort((a, b) => compareIds(a.id, b.id));
    return this.sorted;
  }

  get(id: WireId): StoredPoint | undefined {
    return this.points.get(idKey(id));
  }

  upsert(points: StoredPoint[]): void {
    for (const p of points) this.points.set(idKey(p.id), p);
    this.touch();
  }

  delete(ids: Iterable<string>): void {
    for (const k of ids) this.points.delete(k);
    this.touch();
  }

  /** Points matching the filter and shard selection, in id order. */
  matching(filter: Filter | undefined, shardKeys?: ShardKey[]): StoredPoint[] {
    const pred = filter === undefined ? undefined : compileFilter(filter);
    return this.inIdOrder().filter(
      (p) => (shardKeys === undefined || (p.shardKey !== undefined && shardKeys.includes(p.shardKey))) && (pred === undefined || pred(idKey(p.id), p.payload)),
    );
  }

  scroll(filter: Filter | undefined, limit: number, offset: WireId | undefined, shardKeys?: ShardKey[]): { points: StoredPoint[]; next: WireId | null } {
    const all = this.matching(filter, shardKeys);
    const start = offset === undefined ? 0 : all.findIndex((p) => compareIds(p.id, offset) >= 0);
    if (start < 0) return { points: [], next: null };
    const page = all.slice(start, start + limit);
    const after = all[start + limit];
    return { points: page, next: after === undefined ? null : after.id };
  }

  search(s: SearchInput, model: ApproximateModel): { point: StoredPoint; score: number }[] {
    const euclid = this.config.distance === 'Euclid';
    const scored = this.matching(s.filter, s.shardKeys).map((point) => {
      let acc = 0;
      for (let i = 0; i < s.vector.length; i++) {
        const a = point.vector[i] as number;
        const b = s.vector[i] as number;
        acc += euclid ? (a - b) * (a - b) : a * b;
      }
      return { point, score: euclid ? Math.sqrt(acc) : acc };
    });
    scored.sort((a, b) => (a.score === b.score ? compareIds(a.point.id, b.point.id) : euclid ? a.score - b.score : b.score - a.score));
    let found = scored;
    if (!s.exact && this.points.size > model.approximateAbove) {
      const efConstruct = typeof this.config.hnsw['ef_construct'] === 'number' ? this.config.hnsw['ef_construct'] : 100;
      const ef = Math.max(s.hnswEf ?? efConstruct, s.limit + s.offset);
      const miss = model.missRate(ef);
      const q = Array.from(s.vector.subarray(0, 8)).join(',');
      found = scored.filter((x) => coin(`${q}|${idKey(x.point.id)}`) >= miss);
    }
    if (s.scoreThreshold !== undefined) {
      const t = s.scoreThreshold;
      found = found.filter((x) => (euclid ? x.score <= t : x.score >= t));
    }
    return found.slice(s.offset, s.offset + s.limit);
  }

  /** set_payload: merge top-level keys; null removes the key (merge_map). */
  static merged(old: Payload, update: Payload): Payload {
    const out: Payload = { ...old };
    for (const [k, v] of Object.entries(update)) {
      if (v === null) delete out[k];
      else out[k] = structuredClone(v);
    }
    return out;
  }

  setPayload(keys: Iterable<string>, update: Payload, overwrite: boolean): void {
    for (const k of keys) {
      const p = this.points.get(k);
      if (p === undefined) continue;
      this.points.set(k, { ...p, payload: overwrite ? structuredClone(update) : StandinCollection.merged(p.payload, update) });
    }
    this.touch();
  }

  deletePayloadKeys(keys: Iterable<string>, fields: string[]): void {
    for (const k of keys) {
      const p = this.points.get(k);
      if (p === undefined) continue;
      const payload = { ...p.payload };
      for (const f of fields) delete payload[f];
      this.points.set(k, { ...p, payload });
    }
    this.touch();
  }

  updateMetadata(update: Payload): void {
    this.config.metadata = this.config.metadata === undefined ? structuredClone(update) : StandinCollection.merged(this.config.metadata, update);
  }

  /** GET /collections/{name} `result`, shaped as Qdrant's CollectionInfo. */
  info(keepMetadata: boolean): Record<string, unknown> {
    const schema: Record<string, unknown> = {};
    for (const [field, s] of this.indexes) {
      schema[field] = typeof s === 'string' ? { data_type: s, points: this.points.size } : { data_type: s.type, params: s, points: this.points.size };
    }
    const c = this.config;
    const config: Record<string, unknown> = {
      params: { vectors: { size: c.size, distance: c.distance, ...c.vectorExtra }, ...c.params },
      hnsw_config: c.hnsw,
      optimizer_config: c.optimizers,
      wal_config: c.wal,
      quantization_config: c.quantization ?? null,
    };
    if (c.strictMode !== undefined) config['strict_mode_config'] = c.strictMode;
    if (keepMetadata && c.metadata !== undefined) config['metadata'] = c.metadata;
    return {
      status: 'green',
      optimizer_status: 'ok',
      indexed_vectors_count: 0,
      points_count: this.points.size,
      segments_count: 1,
      config,
      payload_schema: schema,
    };
  }
}

/**
 * Deployment settings of QdrantBackend: how collections are created on a cluster, and the
 * per-request settings (write ordering, read consistency, server timeout, search parameters).
 * Pure: checks options and builds request bodies; no client, no I/O.
 *
 * Defaults are Qdrant's own (nothing is sent unless set), because the right values depend on the
 * cluster; docs/qdrant.md gives the recommended ones for replicated and multi-tenant deployments.
 * Qdrant's own types (`Schemas`) are used where we pass a setting through unchanged (HNSW,
 * quantization, strict mode): the server validates them and answers 4xx with its own message.
 */
import type { Schemas } from '@qdrant/js-client-rest';
import type { CollectionSpec, SearchParams } from './types.js';
import { aint, optBool, plainObject } from './validate.js';

export type WriteOrdering = 'weak' | 'medium' | 'strong';
/** A number of replicas, or 'majority' | 'quorum' | 'all' (Qdrant's ReadConsistency). */
export type ReadConsistency = number | 'majority' | 'quorum' | 'all';

export type ShardingConfig =
  | { method: 'auto' }
  | {
      /**
       * One shard key per tenant (Qdrant "custom sharding"): the value of the collection's tenant
       * field routes every write, and reads that filter on one tenant go to its shards only.
       */
      method: 'custom';
      /** Shards per key (Qdrant default 1). */
      shardsPerKey?: number;
      /** Replicas per shard of a key (default: the collection's replication factor). */
      replicationFactor?: number;
      /** Create a tenant's shard key on its first write (default true; needs a manage-rights API key). */
      createKeys?: boolean;
    };

/** How createCollection sets a collection up; every field optional (Qdrant's default when absent). */
export interface QdrantCollectionConfig {
  /** Shards per collection (auto sharding); Qdrant's default is the number of nodes. */
  shardNumber?: number;
  /** Copies of each shard (default 1: no redundancy). */
  replicationFactor?: number;
  /** Replicas that must acknowledge a write (default 1; at most replicationFactor). */
  writeConsistencyFactor?: number;
  /** Keep payloads on disk (Qdrant's default true). */
  onDiskPayload?: boolean;
  /** Keep the original vectors on disk (memmap) instead of in RAM. */
  vectorsOnDisk?: boolean;
  /** HNSW index parameters (m, ef_construct, full_scan_threshold, payload_m, on_disk). */
  hnsw?: Schemas['HnswConfigDiff'];
  /** Vector quantization (scalar, product or binary). */
  quantization?: Schemas['QuantizationConfig'];
  /** Strict mode of the new collection. */
  strictMode?: Schemas['StrictModeConfig'];
  sharding?: ShardingConfig;
}

export function checkOrdering(v: unknown, what: string): WriteOrdering | undefined {
  if (v === undefined) return undefined;
  if (v !== 'weak' && v !== 'medium' && v !== 'strong') throw new TypeError(`"${what}" expected 'weak', 'medium' or 'strong'`);
  return v;
}

export function checkConsistency(v: unknown, what: string): ReadConsistency | undefined {
  if (v === undefined) return undefined;
  if (v === 'majority' || v === 'quorum' || v === 'all') return v;
  if (typeof v === 'number') return aint(v, what, 1, 1000);
  throw new TypeError(`"${what}" expected a replica count or 'majority', 'quorum', 'all'`);
}

/**
 * The `params` of a query: the request's settings over the defaults. hnsw_ef is raised to the
 * limit when lower (Qdrant does the same internally, lib/segment/src/index/hnsw_index/
 * graph_layers.rs `max(ef, top)`; sending it makes the effective value visible and checked by
 * strict mode's search_max_hnsw_ef). Nothing is sent when nothing is set, so the server's own
 * default (ef_construct) applies.
 */
export function searchParamsBody(defaults: SearchParams | undefined, request: SearchParams | undefined, limit: number): Schemas['SearchParams'] | undefined {
  const ef = request?.hnswEf ?? defaults?.hnswEf;
  const exact = request?.exact ?? defaults?.exact;
  const q = { ...(defaults?.quantization ?? {}), ...(request?.quantization ?? {}) };
  const out: Schemas['SearchParams'] = {};
  if (ef !== undefined) out.hnsw_ef = Math.max(ef, limit);
  if (exact !== undefined) out.exact = exact;
  if (Object.keys(q).length > 0) out.quantization = q;
  return Object.keys(out).length > 0 ? out : undefined;
}

function checkSharding(v: unknown, what: string): ShardingConfig | undefined {
  if (v === undefined) return undefined;
  const o = plainObject(v, what);
  if (o['method'] === 'auto') return { method: 'auto' };
  if (o['method'] !== 'custom') throw new TypeError(`"${what}.method" expected 'auto' or 'custom'`);
  const out: ShardingConfig = { method: 'custom' };
  if (o['shardsPerKey'] !== undefined) out.shardsPerKey = aint(o['shardsPerKey'], `${what}.shardsPerKey`, 1, 1024);
  if (o['replicationFactor'] !== undefined) out.replicationFactor = aint(o['replicationFactor'], `${what}.replicationFactor`, 1, 64);
  const createKeys = optBool(o['createKeys'], `${what}.createKeys`);
  if (createKeys !== undefined) out.createKeys = createKeys;
  return out;
}

export function checkCollectionConfig(v: unknown, what: string): QdrantCollectionConfig {
  if (v === undefined) return {};
  const o = plainObject(v, what);
  const out: QdrantCollectionConfig = {};
  if (o['shardNumber'] !== undefined) out.shardNumber = aint(o['shardNumber'], `${what}.shardNumber`, 1, 1024);
  if (o['replicationFactor'] !== undefined) out.replicationFactor = aint(o['replicationFactor'], `${what}.replicationFactor`, 1, 64);
  if (o['writeConsistencyFactor'] !== undefined) out.writeConsistencyFactor = aint(o['writeConsistencyFactor'], `${what}.writeConsistencyFactor`, 1, 64);
  if (out.writeConsistencyFactor !== undefined && out.writeConsistencyFactor > (out.replicationFactor ?? 1)) {
    // Qdrant accepts the collection but then fails every write: no replica set is that large.
    throw new RangeError(`"${what}.writeConsistencyFactor" expected at most replicationFactor (${out.replicationFactor ?? 1}), got ${out.writeConsistencyFactor}`);
  }
  for (const k of ['onDiskPayload', 'vectorsOnDisk'] as const) {
    const b = optBool(o[k], `${what}.${k}`);
    if (b !== undefined) out[k] = b;
  }
  if (o['hnsw'] !== undefined) out.hnsw = structuredClone(plainObject(o['hnsw'], `${what}.hnsw`)) as Schemas['HnswConfigDiff'];
  if (o['quantization'] !== undefined) out.quantization = structuredClone(plainObject(o['quantization'], `${what}.quantization`)) as Schemas['QuantizationConfig'];
  if (o['strictMode'] !== undefined) out.strictMode = structuredClone(plainObject(o['strictMode'], `${what}.strictMode`)) as Schemas['StrictModeConfig'];
  const sharding = checkSharding(o['sharding'], `${what}.sharding`);
  if (sharding !== undefined) {
    if (sharding.method === 'custom' && out.shardNumber !== undefined) {
      throw new RangeError(`"${what}.shardNumber" does not apply to custom sharding; set sharding.shardsPerKey`);
    }
    out.sharding = sharding;
  }
  return out;
}

/** PUT /collections/{name} body. Never Cosine: it renormalizes vectors (see docs/cipher.md). */
export function createCollectionBody(spec: CollectionSpec, c: QdrantCollectionConfig): Schemas['CreateCollection'] {
  const body: Schemas['CreateCollection'] = {
    vectors: { size: spec.dimension, distance: spec.distance, ...(c.vectorsOnDisk !== undefined ? { on_disk: c.vectorsOnDisk } : {}) },
    metadata: spec.metadata ?? {},
  };
  if (c.shardNumber !== undefined) body.shard_number = c.shardNumber;
  if (c.replicationFactor !== undefined) body.replication_factor = c.replicationFactor;
  if (c.writeConsistencyFactor !== undefined) body.write_consistency_factor = c.writeConsistencyFactor;
  if (c.onDiskPayload !== undefined) body.on_disk_payload = c.onDiskPayload;
  if (c.hnsw !== undefined) body.hnsw_config = c.hnsw;
  if (c.quantization !== undefined) body.quantization_config = c.quantization;
  if (c.strictMode !== undefined) body.strict_mode_config = c.strictMode;
  if (c.sharding !== undefined) body.sharding_method = c.sharding.method;
  return body;
}

/** The server-side `timeout` (seconds) for a client deadline: safely below it, or none when too short. */
export function serverTimeoutFor(clientTimeoutMs: number): number | undefined {
  const s = Math.floor((clientTimeoutMs * 0.9) / 1000);
  return s >= 1 ? s : undefined;
}

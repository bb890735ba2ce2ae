/**
 * QdrantBackend: the Backend interface over Qdrant's REST API (@qdrant/js-client-rest 1.18 or
 * 1.19, Qdrant server 1.16 or later; see docs/qdrant.md).
 *
 * - Collections: one unnamed vector, Euclid or Dot (never Cosine: it renormalizes vectors); a
 *   payload index on every field we filter on (tenant field: keyword with `is_tenant`; keyword
 *   and integer fields), so strict mode (`unindexed_filtering_retrieve: false`) accepts every
 *   filter; the scheme description in Qdrant's collection `metadata` (>= 1.16). Cluster settings
 *   (shards, replication, write consistency, HNSW, quantization, on-disk storage, strict mode,
 *   custom sharding by tenant) come from `options.collection`. A failure half-way through
 *   createCollection removes the collection. `ensureIndexes` adds what an older collection lacks.
 * - Writes: `wait=true` and the configured `ordering`; a write is stored only when Qdrant answers
 *   `completed` (`wait_timeout` is retried: the write is idempotent). Upserts are batched by
 *   point count and estimated JSON bytes, with bounded concurrency; a batch is split only when
 *   the server refused it for its size (body limit, or strict mode's upsert_max_batchsize, which
 *   gives the size to cut to), never for other 400s, which would fail the same way smaller.
 * - Reads: the configured `consistency`; searches through the Query API with the search
 *   parameters (hnsw_ef, exact, quantization) of the request over the configured defaults.
 * - Every request: a server-side `timeout` below the client's deadline (so the server gives up
 *   first and says so), retries with jittered exponential backoff on 429 (honouring
 *   Retry-After), 408, 5xx, timeouts and dropped connections, each reported to `logger` as a
 *   `backend.retry` event (operation, attempt, delay, status: no payloads, no keys). Errors carry
 *   Qdrant's own message (`BackendError.status` / `.detail`); 404 is NotFound, "already exists"
 *   Conflict.
 *
 * The same argument checks as LocalBackend run first, and vectors are checked against the
 * collection's dimension (cached per collection, refreshed once on a mismatch), so both
 * backends fail the same way with the same coded errors.
 */
import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { BackendError, Conflict, InvalidVector, NotFound } from '@sealvec/core';
import type { Logger, LogEvent } from '../log.js';
import { createLimiter, mapLimit } from './concurrency.js';
import { checkFilter, fieldValues } from './filter.js';
import { apiOf, resultOf, type QdrantApi, type QdrantClientLike } from './qdrant-api.js';
import {
  checkCollectionConfig,
  checkConsistency,
  checkOrdering,
  createCollectionBody,
  searchParamsBody,
  serverTimeoutFor,
  type QdrantCollectionConfig,
  type ReadConsistency,
  type WriteOrdering,
} from './qdrant-config.js';
import { classify, DeadlineExceeded, failureReason, isRetryable, sizeSplit, toCodedError, UnconfirmedWrite } from './qdrant-errors.js';
import {
  asShardKey,
  chunks,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_BATCH_BYTES,
  describeFromInfo,
  fromRecord,
  fromScoredPoint,
  groupPayloadUpdates,
  IDS_PER_REQUEST,
  isCustomSharded,
  missingIndexes,
  payloadIndexes,
  splitBySize,
  tenantFieldOf,
  tenantOfFilter,
  toWireFilter,
  toWirePoint,
  vectorToJson,
  withPayloadToWire,
} from './qdrant-mapping.js';
import { retryPolicy, withRetry, type RetryInfo, type RetryOptions, type RetryPolicy } from './retry.js';
import type {
  Backend,
  CollectionDescription,
  CollectionSpec,
  Filter,
  IndexFields,
  Payload,
  PayloadSelector,
  Point,
  QueryRequest,
  RetrieveOptions,
  ScoredPoint,
  ScrollPage,
  ScrollRequest,
  SearchParams,
  UpsertFailure,
  UpsertOptions,
  UpsertResult,
} from './types.js';
import {
  aint,
  checkIds,
  checkIndexFields,
  checkMetadata,
  checkName,
  checkPoints,
  checkQuery,
  checkRetrieveOptions,
  checkRetrieveSelector,
  checkScroll,
  checkSearchParams,
  checkSelector,
  checkSpec,
  checkUpdates,
  checkUpsertOptions,
  dimensionError,
  firstNonFinite,
  lastWins,
  pointProblem,
  uniqueIds,
} from './validate.js';
import { utf8Length } from './utf8.js';

export interface QdrantBackendOptions {
  /** Base URL, e.g. http://localhost:6333 (a path prefix is kept). Not with `client`. */
  url?: string;
  apiKey?: string;
  /**
   * An existing QdrantClient (@qdrant/js-client-rest 1.18 or 1.19) to send requests through,
   * instead of one made from `url` and `apiKey`. Its own timeout still applies; `timeoutMs`
   * is enforced on top of it.
   */
  client?: QdrantClientLike;
  /** Client-side deadline per request in ms (default 30 000). */
  timeoutMs?: number;
  /**
   * Server-side `timeout` in seconds sent with every request that takes one; default 90% of
   * `timeoutMs`, so the server gives up (and says why) before the client does. null: never send.
   * Must stay at or below strict mode's `max_timeout` where a collection sets one.
   */
  serverTimeoutSec?: number | null;
  retry?: RetryOptions;
  /** Upper bound on one upsert body, in bytes (default 8 MiB). */
  maxBatchBytes?: number;
  /** Default points per upsert request (default 256); UpsertOptions.batchSize overrides it. */
  batchSize?: number;
  /** Default concurrent requests (default 2); UpsertOptions.concurrency overrides it. */
  concurrency?: number;
  /** Search parameters for every query (a request's `params` override them). */
  search?: SearchParams;
  /** Shorthand for `search: { exact }`. */
  exact?: boolean;
  /** Write ordering (Qdrant's default 'weak'); 'medium' or 'strong' for read-your-writes across replicas. */
  writeOrdering?: WriteOrdering;
  /** Read consistency: replicas to ask (Qdrant's default 1), or 'majority' | 'quorum' | 'all'. */
  readConsistency?: ReadConsistency;
  /** How createCollection sets up a collection on a cluster (see docs/qdrant.md). */
  collection?: QdrantCollectionConfig;
  /** The client's server version check (default false: it only logs, and needs GET /). */
  checkCompatibility?: boolean;
  /** Observes each retry (attempt, delay, error), e.g. for logging. */
  onRetry?: (info: RetryInfo) => void;
  /**
   * Receives `backend.retry`, `backend.upsert.split`, `backend.index.created`,
   * `backend.shard-key.created` and `backend.timeout.lowered` events.
   */
  logger?: Logger;
}

/** Per-point overhead of the upsert body (`{"points":[` ... `]}`), generously rounded. */
const BODY_OVERHEAD = 64;

/** Upper bound of a point's JSON size: 16 chars per float covers "-1.23456789e-10,". */
function estimatePointBytes(p: Point): number {
  return 64 + 16 * p.vector.length + utf8Length(JSON.stringify(p.payload));
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Qdrant's answer to a shard key that does not exist (ShardHolder::split_by_shard, get_shard_ids_by_key). */
const isShardKeyMissing = (e: unknown): boolean => e instanceof BackendError && e.status === 400 && /Shard key .* not found/.test(e.detail ?? '');

type ShardKey = string | number;

/** What we keep per collection: its dimension, and the field routing writes under custom sharding. */
interface Known {
  dimension: number;
  /** Set when the collection uses custom sharding: the tenant field that names a point's shard key. */
  shardKeyField: string | undefined;
}

/** A batch of upsert positions (indices into the de-duplicated points) bound for one shard key. */
interface Batch {
  at: number[];
  shardKey?: ShardKey;
}

export class QdrantBackend implements Backend {
  private readonly api: QdrantApi;
  private readonly injected: boolean;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  /** Lowered, once, to a collection's strict-mode `max_timeout` when the server names it. */
  private serverTimeout: number | undefined;
  private readonly maxBatchBytes: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly search: SearchParams | undefined;
  private readonly ordering: WriteOrdering | undefined;
  private readonly consistency: ReadConsistency | undefined;
  private readonly collectionConfig: QdrantCollectionConfig;
  private readonly onRetry: ((info: RetryInfo) => void) | undefined;
  private readonly logger: Logger | undefined;
  private readonly known = new Map<string, Known>();
  /** Shard keys known to exist, per custom-sharded collection. */
  private readonly shardKeys = new Map<string, Set<ShardKey>>();
  private closed = false;

  constructor(options: QdrantBackendOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('"options" expected object');
    const { url, apiKey, client } = options;
    if (client !== undefined) {
      if (url !== undefined || apiKey !== undefined) throw new TypeError('"options.client" comes with its own url and apiKey; do not pass "options.url" or "options.apiKey"');
    } else if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
      throw new TypeError('"options.url" expected an http(s) URL');
    }
    if (apiKey !== undefined && typeof apiKey !== 'string') throw new TypeError('"options.apiKey" expected string');
    if (options.onRetry !== undefined && typeof options.onRetry !== 'function') throw new TypeError('"options.onRetry" expected function');
    if (options.logger !== undefined && typeof options.logger !== 'function') throw new TypeError('"options.logger" expected function');
    this.timeoutMs = options.timeoutMs === undefined ? 30_000 : aint(options.timeoutMs, 'options.timeoutMs', 1, 3_600_000);
    if (options.serverTimeoutSec === null) this.serverTimeout = undefined;
    else if (options.serverTimeoutSec === undefined) this.serverTimeout = serverTimeoutFor(this.timeoutMs);
    else {
      this.serverTimeout = aint(options.serverTimeoutSec, 'options.serverTimeoutSec', 1, 3600);
      if (this.serverTimeout * 1000 >= this.timeoutMs) {
        throw new RangeError(`"options.serverTimeoutSec" expected below options.timeoutMs (${this.timeoutMs} ms), got ${this.serverTimeout} s`);
      }
    }
    this.policy = retryPolicy(options.retry);
    this.maxBatchBytes =
      options.maxBatchBytes === undefined ? DEFAULT_MAX_BATCH_BYTES : aint(options.maxBatchBytes, 'options.maxBatchBytes', 1024, 1 << 30);
    this.batchSize = options.batchSize === undefined ? DEFAULT_BATCH_SIZE : aint(options.batchSize, 'options.batchSize', 1, 100_000);
    this.concurrency = options.concurrency === undefined ? 2 : aint(options.concurrency, 'options.concurrency', 1, 64);
    const search = checkSearchParams(options.search, 'options.search');
    if (options.exact !== undefined && typeof options.exact !== 'boolean') throw new TypeError('"options.exact" expected boolean');
    this.search = options.exact === undefined ? search : { ...search, exact: search?.exact ?? options.exact };
    this.ordering = checkOrdering(options.writeOrdering, 'options.writeOrdering');
    this.consistency = checkConsistency(options.readConsistency, 'options.readConsistency');
    this.collectionConfig = checkCollectionConfig(options.collection, 'options.collection');
    this.onRetry = options.onRetry;
    this.logger = options.logger;
    this.injected = client !== undefined;
    this.api = apiOf(
      client ??
        new QdrantClient({
          url: url as string,
          ...(apiKey !== undefined ? { apiKey } : {}),
          timeout: this.timeoutMs,
          checkCompatibility: options.checkCompatibility ?? false,
        }),
      'options.client',
    );
  }

  private live(): void {
    if (this.closed) throw new TypeError('QdrantBackend is closed');
  }

  private log(e: LogEvent): void {
    try {
      this.logger?.(e);
    } catch {
      // a failing logger must not fail the operation it reports on
    }
  }

  /** Query parameters of every read. */
  private get read(): { timeout?: number; consistency?: ReadConsistency } {
    return { ...(this.serverTimeout !== undefined ? { timeout: this.serverTimeout } : {}), ...(this.consistency !== undefined ? { consistency: this.consistency } : {}) };
  }

  /** Query parameters of every write: wait for it to apply. */
  private get write(): { wait: true; timeout?: number; ordering?: WriteOrdering } {
    return { wait: true, ...(this.serverTimeout !== undefined ? { timeout: this.serverTimeout } : {}), ...(this.ordering !== undefined ? { ordering: this.ordering } : {}) };
  }

  private get timeout(): { timeout?: number } {
    return this.serverTimeout !== undefined ? { timeout: this.serverTimeout } : {};
  }

  /** One logical request with retries; failures become coded errors. */
  private async call<T>(op: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    try {
      return await this.retrying(op, fn);
    } catch (e) {
      throw toCodedError(classify(e), op, e, this.timeoutMs);
    }
  }

  /**
   * A strict-mode collection with `max_timeout` below our server timeout refuses every request
   * ("Limit exceeded 27 > 10 for \"timeout\"", verification/mod.rs check_timeout): adopt its limit
   * and send the request again. Request bodies read the timeout when they are built, so the
   * second try carries the new one.
   */
  private async fitTimeout<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const f = classify(e);
      const m = f.kind === 'http' && f.status === 400 ? /Limit exceeded (\d+) > (\d+) for "timeout"/.exec(f.detail ?? '') : null;
      const max = m === null ? NaN : Number(m[2]);
      if (!(max >= 1 && this.serverTimeout !== undefined && max < this.serverTimeout)) throw e;
      this.serverTimeout = max;
      this.log({
        level: 'info',
        event: 'backend.timeout.lowered',
        message: `Qdrant ${op}: the collection allows a server timeout of at most ${max} s; using it from now on`,
        fields: { op, timeoutSec: max },
      });
      return fn();
    }
  }

  /** Like `call` but rethrows the raw error (callers decide on splitting or shard keys). */
  private retrying<T>(op: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    const once = (n: number) => this.fitTimeout(op, () => fn(n));
    const attempt = this.injected ? (n: number) => withDeadline(once(n), this.timeoutMs) : once;
    return withRetry(
      attempt,
      this.policy,
      op,
      (e) => isRetryable(classify(e)),
      (e) => {
        const f = classify(e);
        return f.kind === 'http' ? f.retryAfterMs : undefined;
      },
      (info) => {
        this.onRetry?.(info);
        const reason = failureReason(classify(info.error));
        this.log({
          level: 'warn',
          event: 'backend.retry',
          message: `Qdrant ${info.op}: attempt ${info.attempt} failed (${reason}); retrying in ${info.delayMs} ms`,
          fields: { backend: 'qdrant', op: info.op, attempt: info.attempt, delayMs: info.delayMs, reason },
        });
      },
    );
  }

  /** A write is done when Qdrant says `completed`; anything else is retried as unconfirmed. */
  private static completed(res: { data: { result?: Schemas['UpdateResult'] | null } }): void {
    const status = res.data.result?.status;
    if (status !== 'completed') throw new UnconfirmedWrite(String(status));
  }

  private async info(name: string): Promise<Schemas['CollectionInfo'] | null> {
    try {
      return resultOf(await this.call(`get collection ${name}`, () => this.api.getCollection({ collection_name: name })), `get collection ${name}`);
    } catch (e) {
      if (e instanceof NotFound) {
        this.known.delete(name);
        return null;
      }
      throw e;
    }
  }

  /** What we know of the collection; NotFound when it does not exist. */
  private async knownOf(name: string, refresh = false): Promise<Known> {
    const cached = this.known.get(name);
    if (cached !== undefined && !refresh) return cached;
    const info = await this.info(name);
    if (info === null) throw new NotFound(`collection ${JSON.stringify(name)} does not exist`);
    return this.remember(name, info);
  }

  private remember(name: string, info: Schemas['CollectionInfo']): Known {
    const d = describeFromInfo(name, info);
    const custom = isCustomSharded(info);
    const shardKeyField = custom ? tenantFieldOf(info) : undefined;
    if (custom && shardKeyField === undefined) {
      throw new BackendError(`collection ${JSON.stringify(name)} uses custom sharding but has no tenant (is_tenant) index to route writes by`);
    }
    const k: Known = { dimension: d.dimension, shardKeyField };
    this.known.set(name, k);
    return k;
  }

  // ---- collections --------------------------------------------------------------------------

  async createCollection(spec: CollectionSpec): Promise<void> {
    const s = checkSpec(spec);
    this.live();
    const cfg = this.collectionConfig;
    if (cfg.sharding?.method === 'custom' && s.tenantField === undefined) {
      throw new RangeError('"spec.tenantField" is required with custom sharding: shard keys are tenant values');
    }
    const op = `create collection ${s.name}`;
    let lastAttempt = 0;
    try {
      await this.call(op, (attempt) => {
        lastAttempt = attempt;
        return this.api.createCollection({ collection_name: s.name, ...this.timeout, ...createCollectionBody(s, cfg) });
      });
    } catch (e) {
      // A retried create whose first attempt did land answers "already exists": that is ours
      // if it is exactly what we asked for.
      if (!(e instanceof Conflict) || lastAttempt < 2 || !(await this.sameCollection(s))) throw e;
    }
    try {
      await this.createIndexes(s.name, payloadIndexes(s));
      if (!(await this.sameCollection(s))) {
        throw new BackendError(
          `Qdrant did not keep the metadata of collection ${JSON.stringify(s.name)}; collection metadata needs Qdrant 1.16 or later`,
        );
      }
    } catch (e) {
      await this.deleteCollection(s.name).catch(() => undefined);
      throw e;
    }
  }

  private async createIndexes(name: string, indexes: Schemas['CreateFieldIndex'][]): Promise<void> {
    for (const idx of indexes) {
      await this.call(`create payload index ${idx.field_name} on ${name}`, async () =>
        QdrantBackend.completed(await this.api.createFieldIndex({ collection_name: name, ...this.write, ...idx })),
      );
      const type = typeof idx.field_schema === 'string' ? idx.field_schema : (idx.field_schema as { type: string }).type;
      this.log({ level: 'info', event: 'backend.index.created', message: `indexed ${idx.field_name} (${type}) on ${name}`, fields: { collection: name, field: idx.field_name, type } });
    }
  }

  private async sameCollection(s: ReturnType<typeof checkSpec>): Promise<boolean> {
    const d = await this.describe(s.name);
    return (
      d !== null && d.dimension === s.dimension && d.distance === s.distance && canonicalJson(d.metadata) === canonicalJson(s.metadata)
    );
  }

  async describe(name: string): Promise<CollectionDescription | null> {
    checkName(name);
    this.live();
    const info = await this.info(name);
    if (info === null) return null;
    const d = describeFromInfo(name, info);
    this.remember(name, info);
    return d;
  }

  async deleteCollection(name: string): Promise<void> {
    checkName(name);
    this.live();
    this.known.delete(name);
    this.shardKeys.delete(name);
    try {
      await this.call(`delete collection ${name}`, () => this.api.deleteCollection({ collection_name: name, ...this.timeout }));
    } catch (e) {
      if (!(e instanceof NotFound)) throw e;
    }
  }

  async listCollections(): Promise<string[]> {
    this.live();
    const res = await this.call('list collections', () => this.api.getCollections({}));
    return resultOf(res, 'list collections')
      .collections.map((c) => c.name)
      .sort();
  }

  /**
   * Replaces the metadata: Qdrant's PATCH merges keys and deletes a key sent as null
   * (lib/collection/src/collection/collection_ops.rs `update_metadata`; tests/openapi/
   * test_collection_metadata.py), so keys to drop are sent as null. A top-level null value
   * therefore cannot be stored this way: TypeError. Reads the result back to be sure.
   */
  async setMetadata(name: string, metadata: Record<string, unknown>): Promise<void> {
    checkName(name);
    const md = checkMetadata(metadata, 'metadata');
    for (const [k, v] of Object.entries(md)) {
      if (v === null) throw new TypeError(`"metadata.${k}" is null; Qdrant deletes a metadata key set to null, so it cannot be stored`);
    }
    this.live();
    const current = await this.describe(name);
    if (current === null) throw new NotFound(`collection ${JSON.stringify(name)} does not exist`);
    const patch: Record<string, unknown> = { ...md };
    for (const k of Object.keys(current.metadata)) if (!Object.hasOwn(md, k)) patch[k] = null;
    await this.call(`update metadata of ${name}`, () => this.api.updateCollection({ collection_name: name, ...this.timeout, metadata: patch }));
    const after = await this.describe(name);
    if (after === null || canonicalJson(after.metadata) !== canonicalJson(md)) {
      throw new BackendError(`Qdrant did not keep the new metadata of collection ${JSON.stringify(name)}; collection metadata needs Qdrant 1.16 or later`);
    }
  }

  async ensureIndexes(name: string, fields: IndexFields): Promise<string[]> {
    checkName(name);
    const f = checkIndexFields(fields, 'fields');
    this.live();
    const info = await this.info(name);
    if (info === null) throw new NotFound(`collection ${JSON.stringify(name)} does not exist`);
    const missing = missingIndexes(info, payloadIndexes(f));
    await this.createIndexes(name, missing);
    if (missing.length > 0) this.known.delete(name);
    return missing.map((m) => m.field_name);
  }

  // ---- custom sharding ------------------------------------------------------------------------

  private async existingShardKeys(name: string): Promise<Set<ShardKey>> {
    let keys = this.shardKeys.get(name);
    if (keys === undefined) {
      const res = await this.call(`list shard keys of ${name}`, () => this.api.listShardKeys({ collection_name: name }));
      keys = new Set((resultOf(res, `list shard keys of ${name}`).shard_keys ?? []).map((k) => k.key as ShardKey));
      this.shardKeys.set(name, keys);
    }
    return keys;
  }

  /** Creates the shard keys a write needs that do not exist yet (unless switched off). */
  private async ensureShardKeys(name: string, wanted: ShardKey[]): Promise<void> {
    const sharding = this.collectionConfig.sharding;
    if (sharding?.method === 'custom' && sharding.createKeys === false) return;
    const keys = await this.existingShardKeys(name);
    let created = 0;
    for (const key of wanted) {
      if (keys.has(key)) continue;
      try {
        await this.call(`create shard key on ${name}`, () =>
          this.api.createShardKey({
            collection_name: name,
            ...this.timeout,
            shard_key: key,
            ...(sharding?.method === 'custom' && sharding.shardsPerKey !== undefined ? { shards_number: sharding.shardsPerKey } : {}),
            ...(sharding?.method === 'custom' && sharding.replicationFactor !== undefined ? { replication_factor: sharding.replicationFactor } : {}),
          }),
        );
        created++;
      } catch (e) {
        // "Shard key X already exists" (lib/collection/src/collection/sharding_keys.rs): another
        // writer made it first, which is what we wanted.
        if (!(e instanceof Conflict)) throw e;
      }
      keys.add(key);
    }
    if (created > 0) this.log({ level: 'info', event: 'backend.shard-key.created', message: `created ${created} shard key(s) on ${name}`, fields: { collection: name, created } });
  }

  /** The shard key of a stored or new point: the value of the tenant field. */
  private static shardKeyOf(payload: Payload, field: string): ShardKey | undefined {
    const values = fieldValues(payload, field);
    return values.length === 1 ? asShardKey(values[0]) : undefined;
  }

  /** The shard keys of existing points (custom sharding), from one retrieve of the tenant field. */
  private async shardKeysOfIds(name: string, ids: string[], field: string): Promise<Map<string, ShardKey>> {
    const pages = await mapLimit(chunks(ids, IDS_PER_REQUEST), this.concurrency, (chunk) =>
      this.call(`retrieve from ${name}`, () =>
        this.api.getPoints({ collection_name: name, ...this.read, ids: chunk, with_payload: withPayloadToWire([field]), with_vector: false }),
      ),
    );
    const out = new Map<string, ShardKey>();
    for (const page of pages) {
      for (const r of resultOf(page, `retrieve from ${name}`)) {
        const key = QdrantBackend.shardKeyOf((r.payload ?? {}) as Payload, field);
        if (key !== undefined) out.set(String(r.id), key);
      }
    }
    return out;
  }

  /** A read restricted to one tenant goes to its shard key; with an unknown key there is nothing to read. */
  private async readShard<T>(known: Known, filter: Filter | undefined, read: (shard: { shard_key?: ShardKey }) => Promise<T>, empty: T): Promise<T> {
    const key = known.shardKeyField === undefined ? undefined : tenantOfFilter(filter, known.shardKeyField);
    if (key === undefined) return read({});
    try {
      return await read({ shard_key: key });
    } catch (e) {
      if (isShardKeyMissing(e)) return empty;
      throw e;
    }
  }

  // ---- points -------------------------------------------------------------------------------

  async upsert(name: string, points: Point[], options?: UpsertOptions): Promise<UpsertResult> {
    checkName(name);
    const checked = checkPoints(points);
    const opts = checkUpsertOptions(options);
    this.live();
    const unique = lastWins(checked);
    let known = await this.knownOf(name);
    if (unique.some((p) => p.vector.length !== known.dimension)) known = await this.knownOf(name, true);

    const failedAt = new Map<number, Error>();
    const byShard = new Map<ShardKey | undefined, number[]>();
    unique.forEach((p, i) => {
      const problem = pointProblem(p, known.dimension, `point ${p.id}`);
      if (problem !== null) return failedAt.set(i, problem);
      let key: ShardKey | undefined;
      if (known.shardKeyField !== undefined) {
        key = QdrantBackend.shardKeyOf(p.payload, known.shardKeyField);
        if (key === undefined) {
          return failedAt.set(i, new BackendError(`point ${p.id} has no single string or integer in ${known.shardKeyField}, the tenant field its shard key comes from`));
        }
      }
      const group = byShard.get(key);
      if (group === undefined) byShard.set(key, [i]);
      else group.push(i);
    });
    const op = `upsert into ${name}`;
    const storedAt = new Set<number>();
    const fail = (at: number[], error: Error) => {
      for (const i of at) failedAt.set(i, error);
    };
    if (known.shardKeyField !== undefined && byShard.size > 0) {
      try {
        await this.ensureShardKeys(name, [...byShard.keys()] as ShardKey[]);
      } catch (e) {
        for (const at of byShard.values()) fail(at, e as Error);
        byShard.clear();
      }
    }

    const maxCount = opts.batchSize ?? this.batchSize;
    const batches: Batch[] = [];
    for (const [shardKey, at] of byShard) {
      const sizes = at.map((i) => estimatePointBytes(unique[i] as Point));
      for (const [a, b] of splitBySize(sizes, maxCount, this.maxBatchBytes - BODY_OVERHEAD)) {
        batches.push({ at: at.slice(a, b), ...(shardKey !== undefined ? { shardKey } : {}) });
      }
    }
    const limiter = createLimiter(opts.concurrency ?? this.concurrency);
    const total = unique.length;

    const send = async (batch: Batch): Promise<void> => {
      let error: unknown = null;
      await limiter.run(async () => {
        try {
          await this.retrying(op, async () =>
            QdrantBackend.completed(
              await this.api.upsertPoints({
                collection_name: name,
                ...this.write,
                points: batch.at.map((i) => toWirePoint(unique[i] as Point)),
                ...(batch.shardKey !== undefined ? { shard_key: batch.shardKey } : {}),
              }),
            ),
          );
        } catch (e) {
          error = e;
        }
      });
      if (error === null) {
        for (const i of batch.at) storedAt.add(i);
        opts.onProgress?.(storedAt.size, total);
        return;
      }
      const f = classify(error);
      const size = sizeSplit(f, batch.at.length);
      if (size !== null) {
        this.log({
          level: 'info',
          event: 'backend.upsert.split',
          message: `${op}: a batch of ${batch.at.length} points was refused for its size (${failureReason(f)}); sending batches of ${size}`,
          fields: { op, points: batch.at.length, size, reason: failureReason(f) },
        });
        await Promise.all(chunks(batch.at, size).map((at) => send({ ...batch, at })));
        return;
      }
      fail(batch.at, toCodedError(f, op, error, this.timeoutMs));
    };
    await Promise.all(batches.map(send));

    const stored: string[] = [];
    const failed: UpsertFailure[] = [];
    unique.forEach((p, i) => {
      if (storedAt.has(i)) stored.push(p.id);
      else failed.push({ id: p.id, error: failedAt.get(i) ?? new BackendError(`point ${p.id} was not stored`) });
    });
    return { stored, failed };
  }

  async query(name: string, request: QueryRequest): Promise<ScoredPoint[]> {
    checkName(name);
    const q = checkQuery(request);
    this.live();
    let known = await this.knownOf(name);
    if (q.vector.length !== known.dimension) known = await this.knownOf(name, true);
    if (q.vector.length !== known.dimension) throw dimensionError(known.dimension, q.vector.length, 'query vector');
    const bad = firstNonFinite(q.vector);
    if (bad >= 0) throw new InvalidVector(`query vector has a non-finite value at index ${bad}`);
    const params = searchParamsBody(this.search, q.params, q.limit);
    const res = await this.readShard(
      known,
      q.filter,
      (shard) =>
        this.call(`query ${name}`, () =>
          this.api.queryPoints({
            collection_name: name,
            ...this.read,
            query: vectorToJson(q.vector),
            limit: q.limit,
            with_payload: withPayloadToWire(q.withPayload),
            with_vector: q.withVector,
            ...(q.filter !== undefined ? { filter: toWireFilter(q.filter) } : {}),
            ...(params !== undefined ? { params } : {}),
            ...shard,
          }),
        ),
      null,
    );
    if (res === null) return [];
    return resultOf(res, `query ${name}`).points.map((p) => fromScoredPoint(p, q.withVector));
  }

  async retrieve(name: string, ids: string[], options?: RetrieveOptions): Promise<Point[]> {
    checkName(name);
    checkIds(ids, 'ids');
    const withVector = checkRetrieveOptions(options);
    const withPayload: PayloadSelector = checkRetrieveSelector(options);
    this.live();
    const wanted = uniqueIds(ids);
    if (wanted.length === 0) {
      await this.knownOf(name);
      return [];
    }
    const pages = await mapLimit(chunks(wanted, IDS_PER_REQUEST), this.concurrency, (chunk) =>
      this.call(`retrieve from ${name}`, () =>
        this.api.getPoints({ collection_name: name, ...this.read, ids: chunk, with_payload: withPayloadToWire(withPayload), with_vector: withVector }),
      ),
    );
    const byId = new Map<string, Point>();
    for (const page of pages) for (const r of resultOf(page, `retrieve from ${name}`)) byId.set(String(r.id), fromRecord(r, withVector));
    return wanted.flatMap((id) => byId.get(id) ?? []);
  }

  async scroll(name: string, request: ScrollRequest): Promise<ScrollPage> {
    checkName(name);
    const r = checkScroll(request);
    this.live();
    const known = await this.knownOf(name);
    const res = await this.readShard(
      known,
      r.filter,
      (shard) =>
        this.call(`scroll ${name}`, () =>
          this.api.scrollPoints({
            collection_name: name,
            ...this.read,
            limit: r.limit,
            with_payload: withPayloadToWire(r.withPayload),
            with_vector: r.withVector,
            ...(r.offset !== undefined ? { offset: r.offset } : {}),
            ...(r.filter !== undefined ? { filter: toWireFilter(r.filter) } : {}),
            ...shard,
          }),
        ),
      null,
    );
    if (res === null) return { points: [], nextOffset: null };
    const page = resultOf(res, `scroll ${name}`);
    const next = page.next_page_offset;
    return {
      points: page.points.map((p) => fromRecord(p, r.withVector)),
      nextOffset: next === null || next === undefined ? null : String(next),
    };
  }

  async delete(name: string, selector: { ids: string[] } | { filter: Filter }): Promise<void> {
    checkName(name);
    const sel = checkSelector(selector);
    this.live();
    const op = `delete from ${name}`;
    const known = await this.knownOf(name);
    const remove = (body: Schemas['PointsSelector'] & { shard_key?: ShardKey | ShardKey[] }) =>
      this.call(op, async () => QdrantBackend.completed(await this.api.deletePoints({ collection_name: name, ...this.write, ...body })));
    if ('filter' in sel) {
      const filter = toWireFilter(sel.filter);
      if (known.shardKeyField === undefined) return void (await remove({ filter }));
      // Writes to a custom-sharded collection name their shard keys: the filter's tenant (no
      // such key: nothing to delete), or every key, listed afresh.
      const tenant = tenantOfFilter(sel.filter, known.shardKeyField);
      if (tenant !== undefined) {
        try {
          await remove({ filter, shard_key: tenant });
        } catch (e) {
          if (!isShardKeyMissing(e)) throw e;
        }
        return;
      }
      this.shardKeys.delete(name);
      const keys = [...(await this.existingShardKeys(name))];
      if (keys.length > 0) await remove({ filter, shard_key: keys });
      return;
    }
    const ids = uniqueIds(sel.ids);
    if (ids.length === 0) return;
    if (known.shardKeyField === undefined) {
      await mapLimit(chunks(ids, IDS_PER_REQUEST), this.concurrency, (chunk) => remove({ points: chunk }));
      return;
    }
    const keyOf = await this.shardKeysOfIds(name, ids, known.shardKeyField);
    const groups = new Map<ShardKey, string[]>();
    for (const [id, key] of keyOf) {
      const g = groups.get(key);
      if (g === undefined) groups.set(key, [id]);
      else g.push(id);
    }
    const requests = [...groups].flatMap(([key, list]) => chunks(list, IDS_PER_REQUEST).map((points) => ({ points, shard_key: key })));
    await mapLimit(requests, this.concurrency, (r) => remove(r));
  }

  async count(name: string, filter?: Filter): Promise<number> {
    checkName(name);
    const f = filter === undefined ? undefined : checkFilter(filter);
    this.live();
    const known = await this.knownOf(name);
    const res = await this.readShard(
      known,
      f,
      (shard) =>
        this.call(`count ${name}`, () =>
          this.api.countPoints({ collection_name: name, ...this.read, exact: true, ...(f !== undefined ? { filter: toWireFilter(f) } : {}), ...shard }),
        ),
      null,
    );
    return res === null ? 0 : resultOf(res, `count ${name}`).count;
  }

  /**
   * Checks that every id exists first (NotFound listing the missing ones, nothing changed), like
   * LocalBackend; then sends one request per distinct payload (and shard key). Not atomic across
   * requests, but idempotent: re-running after a failure is safe.
   */
  async setPayload(name: string, updates: { id: string; payload: Payload }[]): Promise<void> {
    checkName(name);
    const ups = checkUpdates(updates);
    this.live();
    const known = await this.knownOf(name);
    const ids = uniqueIds(ups.map((u) => u.id));
    if (ids.length === 0) return;
    const field = known.shardKeyField;
    const keyOf = new Map<string, ShardKey | undefined>();
    const pages = await mapLimit(chunks(ids, IDS_PER_REQUEST), this.concurrency, (chunk) =>
      this.call(`retrieve from ${name}`, () =>
        this.api.getPoints({
          collection_name: name,
          ...this.read,
          ids: chunk,
          with_payload: field === undefined ? false : withPayloadToWire([field]),
          with_vector: false,
        }),
      ),
    );
    for (const page of pages) {
      for (const r of resultOf(page, `retrieve from ${name}`)) {
        keyOf.set(String(r.id), field === undefined ? undefined : QdrantBackend.shardKeyOf((r.payload ?? {}) as Payload, field));
      }
    }
    const missing = ids.filter((id) => !keyOf.has(id));
    if (missing.length > 0) {
      throw new NotFound(
        `no point with id ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''} in collection ${JSON.stringify(name)}`,
      );
    }
    const requests = groupPayloadUpdates(ups).flatMap((g) => {
      const byKey = new Map<ShardKey | undefined, string[]>();
      for (const id of g.ids) {
        const key = keyOf.get(id);
        const list = byKey.get(key);
        if (list === undefined) byKey.set(key, [id]);
        else list.push(id);
      }
      return [...byKey].flatMap(([key, list]) =>
        chunks(list, IDS_PER_REQUEST).map((points) => ({ payload: g.payload, points, ...(key !== undefined ? { shard_key: key } : {}) })),
      );
    });
    await mapLimit(requests, this.concurrency, (r) =>
      this.call(`set payload in ${name}`, async () => QdrantBackend.completed(await this.api.setPayload({ collection_name: name, ...this.write, ...r }))),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.known.clear();
    this.shardKeys.clear();
  }
}

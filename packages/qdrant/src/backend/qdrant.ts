/**
 * QdrantBackend: the Backend interface over Qdrant's REST API (@qdrant/js-client-rest 1.18.0).
 *
 * - Collections: one unnamed vector, Euclid or Dot (never Cosine: it renormalizes vectors);
 *   keyword payload indexes on `keywordFields`, the tenant field as a keyword index with
 *   `is_tenant: true`; the scheme description in Qdrant's collection `metadata` (>= 1.16, see
 *   ./qdrant-mapping.ts). A failure half-way through createCollection removes the collection.
 * - Upserts: `wait: true`; batches capped by point count and by estimated JSON bytes (default
 *   256 points, 8 MiB against the server's 32 MiB limit); bounded concurrency; a batch refused
 *   with 400 or 413 is halved down to single points so only truly bad points fail. Upsert is
 *   idempotent by id, so a retried batch that had in fact landed is harmless.
 * - Every request: a per-request timeout, and retries with jittered exponential backoff on 429
 *   (honouring Retry-After), 408, 5xx, timeouts and dropped connections. Errors carry Qdrant's
 *   own message (`BackendError.status` / `.detail`); 404 is NotFound, "already exists" Conflict.
 * - Searches use the Query API (`POST /points/query`), the one that survives client 1.19.
 *
 * The same argument checks as LocalBackend run first, and vectors are checked against the
 * collection's dimension (cached per collection, refreshed once on a mismatch), so both
 * backends fail the same way with the same coded errors.
 */
import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { BackendError, Conflict, InvalidVector, NotFound } from '@sealvec/core';
import { createLimiter, mapLimit } from './concurrency.js';
import {
  chunks,
  createCollectionBody,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_BATCH_BYTES,
  describeFromInfo,
  fromRecord,
  fromScoredPoint,
  groupPayloadUpdates,
  IDS_PER_REQUEST,
  payloadIndexes,
  splitBySize,
  toWireFilter,
  toWirePoint,
  vectorToJson,
} from './qdrant-mapping.js';
import { classify, isRetryable, isSplittable, toCodedError } from './qdrant-errors.js';
import { retryPolicy, withRetry, type RetryInfo, type RetryOptions, type RetryPolicy } from './retry.js';
import type {
  Backend,
  CollectionDescription,
  CollectionSpec,
  Filter,
  Payload,
  Point,
  QueryRequest,
  ScoredPoint,
  ScrollPage,
  ScrollRequest,
  UpsertFailure,
  UpsertOptions,
  UpsertResult,
} from './types.js';
import {
  aint,
  checkIds,
  checkName,
  checkPoints,
  checkQuery,
  checkRetrieveOptions,
  checkScroll,
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
import { checkFilter } from './filter.js';
import { utf8Length } from './utf8.js';

export interface QdrantBackendOptions {
  /** Base URL, e.g. http://localhost:6333 (a path prefix is kept). */
  url: string;
  apiKey?: string;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Upper bound on one upsert body, in bytes (default 8 MiB). */
  maxBatchBytes?: number;
  /** Default points per upsert request (default 256); UpsertOptions.batchSize overrides it. */
  batchSize?: number;
  /** Default concurrent requests (default 2); UpsertOptions.concurrency overrides it. */
  concurrency?: number;
  /** Ask Qdrant for exact (full scan) search instead of HNSW (default false). */
  exact?: boolean;
  /** The client's server version check (default false: it only logs, and needs GET /). */
  checkCompatibility?: boolean;
  /** Observes each retry (attempt, delay, error), e.g. for logging. */
  onRetry?: (info: RetryInfo) => void;
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

export class QdrantBackend implements Backend {
  private readonly client: QdrantClient;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly maxBatchBytes: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly exact: boolean;
  private readonly onRetry: ((info: RetryInfo) => void) | undefined;
  /** Collection name -> vector dimension, as last seen. */
  private readonly dims = new Map<string, number>();
  private closed = false;

  constructor(options: QdrantBackendOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('"options" expected object');
    const { url, apiKey } = options;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new TypeError('"options.url" expected an http(s) URL');
    if (apiKey !== undefined && typeof apiKey !== 'string') throw new TypeError('"options.apiKey" expected string');
    if (options.onRetry !== undefined && typeof options.onRetry !== 'function') throw new TypeError('"options.onRetry" expected function');
    this.timeoutMs = options.timeoutMs === undefined ? 30_000 : aint(options.timeoutMs, 'options.timeoutMs', 1, 3_600_000);
    this.policy = retryPolicy(options.retry);
    this.maxBatchBytes =
      options.maxBatchBytes === undefined ? DEFAULT_MAX_BATCH_BYTES : aint(options.maxBatchBytes, 'options.maxBatchBytes', 1024, 1 << 30);
    this.batchSize = options.batchSize === undefined ? DEFAULT_BATCH_SIZE : aint(options.batchSize, 'options.batchSize', 1, 100_000);
    this.concurrency = options.concurrency === undefined ? 2 : aint(options.concurrency, 'options.concurrency', 1, 64);
    this.exact = options.exact ?? false;
    this.onRetry = options.onRetry;
    this.client = new QdrantClient({
      url,
      ...(apiKey !== undefined ? { apiKey } : {}),
      timeout: this.timeoutMs,
      checkCompatibility: options.checkCompatibility ?? false,
    });
  }

  private live(): void {
    if (this.closed) throw new TypeError('QdrantBackend is closed');
  }

  /** One logical request with retries; failures become coded errors. */
  private async call<T>(op: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    try {
      return await this.retrying(op, fn);
    } catch (e) {
      throw toCodedError(classify(e), op, e, this.timeoutMs);
    }
  }

  /** Like `call` but rethrows the client's raw error (upsert needs it to decide on splitting). */
  private retrying<T>(op: string, fn: (attempt: number) => Promise<T>): Promise<T> {
    return withRetry(
      fn,
      this.policy,
      op,
      (e) => isRetryable(classify(e)),
      (e) => {
        const f = classify(e);
        return f.kind === 'http' ? f.retryAfterMs : undefined;
      },
      this.onRetry,
    );
  }

  /** The collection's dimension; NotFound when it does not exist. */
  private async dimension(name: string, refresh = false): Promise<number> {
    const cached = this.dims.get(name);
    if (cached !== undefined && !refresh) return cached;
    const d = await this.describe(name);
    if (d === null) throw new NotFound(`collection ${JSON.stringify(name)} does not exist`);
    return d.dimension;
  }

  async createCollection(spec: CollectionSpec): Promise<void> {
    const s = checkSpec(spec);
    this.live();
    const op = `create collection ${s.name}`;
    let lastAttempt = 0;
    try {
      await this.call(op, (attempt) => {
        lastAttempt = attempt;
        return this.client.api().createCollection({ collection_name: s.name, ...createCollectionBody(s) });
      });
    } catch (e) {
      // A retried create whose first attempt did land answers "already exists": that is ours
      // if it is exactly what we asked for.
      if (!(e instanceof Conflict) || lastAttempt < 2 || !(await this.sameCollection(s))) throw e;
    }
    try {
      for (const idx of payloadIndexes(s)) {
        await this.call(`create payload index ${idx.field_name} on ${s.name}`, () =>
          this.client.createPayloadIndex(s.name, { ...idx, wait: true }),
        );
      }
      if (!(await this.sameCollection(s))) {
        throw new BackendError(
          `Qdrant did not keep the metadata of collection ${JSON.stringify(s.name)}; collection metadata needs Qdrant 1.16 or later`,
        );
      }
    } catch (e) {
      await this.deleteCollection(s.name).catch(() => undefined);
      throw e;
    }
    this.dims.set(s.name, s.dimension);
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
    let info: Schemas['CollectionInfo'];
    try {
      info = await this.call(`get collection ${name}`, () => this.client.getCollection(name));
    } catch (e) {
      if (e instanceof NotFound) {
        this.dims.delete(name);
        return null;
      }
      throw e;
    }
    const d = describeFromInfo(name, info);
    this.dims.set(name, d.dimension);
    return d;
  }

  async deleteCollection(name: string): Promise<void> {
    checkName(name);
    this.live();
    this.dims.delete(name);
    try {
      await this.call(`delete collection ${name}`, () => this.client.deleteCollection(name));
    } catch (e) {
      if (!(e instanceof NotFound)) throw e;
    }
  }

  async upsert(name: string, points: Point[], options?: UpsertOptions): Promise<UpsertResult> {
    checkName(name);
    const checked = checkPoints(points);
    const opts = checkUpsertOptions(options);
    this.live();
    const unique = lastWins(checked);
    let dim = await this.dimension(name);
    if (unique.some((p) => p.vector.length !== dim)) dim = await this.dimension(name, true);

    const failedAt = new Map<number, Error>();
    const good: number[] = [];
    unique.forEach((p, i) => {
      const problem = pointProblem(p, dim, `point ${p.id}`);
      if (problem === null) good.push(i);
      else failedAt.set(i, problem);
    });

    const maxCount = opts.batchSize ?? this.batchSize;
    const sizes = good.map((i) => estimatePointBytes(unique[i] as Point));
    const batches = splitBySize(sizes, maxCount, this.maxBatchBytes - BODY_OVERHEAD).map(([a, b]) => good.slice(a, b));
    const limiter = createLimiter(opts.concurrency ?? this.concurrency);
    const storedAt = new Set<number>();
    const total = unique.length;
    const op = `upsert into ${name}`;

    const send = async (batch: number[]): Promise<void> => {
      let error: unknown = null;
      await limiter.run(async () => {
        try {
          await this.retrying(op, () =>
            this.client.upsert(name, { wait: true, points: batch.map((i) => toWirePoint(unique[i] as Point)) }),
          );
        } catch (e) {
          error = e;
        }
      });
      if (error === null) {
        for (const i of batch) storedAt.add(i);
        opts.onProgress?.(storedAt.size, total);
        return;
      }
      const f = classify(error);
      if (isSplittable(f) && batch.length > 1) {
        const mid = batch.length >> 1;
        await Promise.all([send(batch.slice(0, mid)), send(batch.slice(mid))]);
        return;
      }
      const coded = toCodedError(f, op, error, this.timeoutMs);
      for (const i of batch) failedAt.set(i, coded);
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
    let dim = await this.dimension(name);
    if (q.vector.length !== dim) dim = await this.dimension(name, true);
    if (q.vector.length !== dim) throw dimensionError(dim, q.vector.length, 'query vector');
    const bad = firstNonFinite(q.vector);
    if (bad >= 0) throw new InvalidVector(`query vector has a non-finite value at index ${bad}`);
    const res = await this.call(`query ${name}`, () =>
      this.client.query(name, {
        query: vectorToJson(q.vector),
        limit: q.limit,
        with_payload: true,
        with_vector: q.withVector,
        ...(q.filter !== undefined ? { filter: toWireFilter(q.filter) } : {}),
        ...(this.exact ? { params: { exact: true } } : {}),
      }),
    );
    return res.points.map((p) => fromScoredPoint(p, q.withVector));
  }

  async retrieve(name: string, ids: string[], options?: { withVector?: boolean }): Promise<Point[]> {
    checkName(name);
    checkIds(ids, 'ids');
    const withVector = checkRetrieveOptions(options);
    this.live();
    const wanted = uniqueIds(ids);
    if (wanted.length === 0) {
      await this.dimension(name);
      return [];
    }
    const pages = await mapLimit(chunks(wanted, IDS_PER_REQUEST), this.concurrency, (chunk) =>
      this.call(`retrieve from ${name}`, () => this.client.retrieve(name, { ids: chunk, with_payload: true, with_vector: withVector })),
    );
    const byId = new Map<string, Point>();
    for (const page of pages) for (const r of page) byId.set(String(r.id), fromRecord(r, withVector));
    return wanted.flatMap((id) => byId.get(id) ?? []);
  }

  async scroll(name: string, request: ScrollRequest): Promise<ScrollPage> {
    checkName(name);
    const r = checkScroll(request);
    this.live();
    const res = await this.call(`scroll ${name}`, () =>
      this.client.scroll(name, {
        limit: r.limit,
        with_payload: true,
        with_vector: r.withVector,
        ...(r.offset !== undefined ? { offset: r.offset } : {}),
        ...(r.filter !== undefined ? { filter: toWireFilter(r.filter) } : {}),
      }),
    );
    const next = res.next_page_offset;
    return {
      points: res.points.map((p) => fromRecord(p, r.withVector)),
      nextOffset: next === null || next === undefined ? null : String(next),
    };
  }

  async delete(name: string, selector: { ids: string[] } | { filter: Filter }): Promise<void> {
    checkName(name);
    const sel = checkSelector(selector);
    this.live();
    const op = `delete from ${name}`;
    if ('filter' in sel) {
      await this.call(op, () => this.client.delete(name, { wait: true, filter: toWireFilter(sel.filter) }));
      return;
    }
    const ids = uniqueIds(sel.ids);
    if (ids.length === 0) {
      await this.dimension(name);
      return;
    }
    await mapLimit(chunks(ids, IDS_PER_REQUEST), this.concurrency, (chunk) =>
      this.call(op, () => this.client.delete(name, { wait: true, points: chunk })),
    );
  }

  async count(name: string, filter?: Filter): Promise<number> {
    checkName(name);
    const f = filter === undefined ? undefined : checkFilter(filter);
    this.live();
    const res = await this.call(`count ${name}`, () =>
      this.client.count(name, { exact: true, ...(f !== undefined ? { filter: toWireFilter(f) } : {}) }),
    );
    return res.count;
  }

  /**
   * Checks that every id exists first (NotFound listing the missing ones, nothing changed), like
   * LocalBackend; then sends one request per distinct payload. Not atomic across requests, but
   * idempotent: re-running after a failure is safe.
   */
  async setPayload(name: string, updates: { id: string; payload: Payload }[]): Promise<void> {
    checkName(name);
    const ups = checkUpdates(updates);
    this.live();
    const ids = uniqueIds(ups.map((u) => u.id));
    if (ids.length === 0) {
      await this.dimension(name);
      return;
    }
    const found = new Set<string>();
    const pages = await mapLimit(chunks(ids, IDS_PER_REQUEST), this.concurrency, (chunk) =>
      this.call(`retrieve from ${name}`, () => this.client.retrieve(name, { ids: chunk, with_payload: false, with_vector: false })),
    );
    for (const page of pages) for (const r of page) found.add(String(r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new NotFound(
        `no point with id ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''} in collection ${JSON.stringify(name)}`,
      );
    }
    const requests = groupPayloadUpdates(ups).flatMap((g) => chunks(g.ids, IDS_PER_REQUEST).map((c) => ({ payload: g.payload, points: c })));
    await mapLimit(requests, this.concurrency, (r) =>
      this.call(`set payload in ${name}`, () => this.client.setPayload(name, { payload: r.payload, points: r.points, wait: true })),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dims.clear();
  }
}

/**
 * The storage interface SealedCollection needs, and nothing more. Two implementations:
 * `LocalBackend` (embedded, exact search, the default) and `QdrantBackend` (@qdrant/js-client-rest).
 * Both must behave identically for everything below; one contract suite proves it.
 *
 * Semantics follow Qdrant's REST API so that the local backend is a faithful stand-in:
 * - vectors are stored as float32;
 * - distance 'Euclid': score is the Euclidean distance, results ascending (best first);
 *   distance 'Dot': score is the inner product, results descending;
 * - point ids are UUID strings (lowercase, hyphenated); callers map their own ids to UUIDs;
 * - payload values are JSON; a `match` condition on an array field matches if any element matches;
 * - filters combine `must` (AND), `should` (at least one, when present), `must_not` (none).
 */

export type Distance = 'Euclid' | 'Dot';

export type MatchValue = string | number | boolean;

export type FieldCondition =
  | { key: string; match: { value: MatchValue } }
  | { key: string; match: { any: MatchValue[] } }
  | { key: string; match: { except: MatchValue[] } };

export interface HasIdCondition {
  has_id: string[];
}

export interface Filter {
  must?: Condition[];
  should?: Condition[];
  must_not?: Condition[];
}

export type Condition = FieldCondition | HasIdCondition | Filter;

export type Payload = Record<string, unknown>;

export interface Point {
  /** UUID string. */
  id: string;
  vector: Float32Array;
  payload: Payload;
}

export interface ScoredPoint {
  id: string;
  score: number;
  payload: Payload;
  vector?: Float32Array;
}

export interface CollectionSpec {
  name: string;
  dimension: number;
  distance: Distance;
  /** Payload field holding the tenant id (keyword index with is_tenant in Qdrant). */
  tenantField?: string;
  /** Payload fields that get a keyword index (token fields, blind indexes). */
  keywordFields?: string[];
  /** Payload fields that get an integer index (e.g. the epoch `ep`): every field we filter on is indexed. */
  integerFields?: string[];
  /** Small JSON-safe description of the scheme (no secrets); returned by `describe`. */
  metadata?: Record<string, unknown>;
}

/** The payload fields a collection filters on, by index type. */
export type IndexFields = Pick<CollectionSpec, 'tenantField' | 'keywordFields' | 'integerFields'>;

export interface CollectionDescription {
  name: string;
  dimension: number;
  distance: Distance;
  metadata: Record<string, unknown>;
}

export interface UpsertOptions {
  /** Points per request (default 256). Batches are also split to stay under `maxBatchBytes`. */
  batchSize?: number;
  /** Concurrent requests (default 2). */
  concurrency?: number;
  /** Called after each batch lands, with the cumulative count of stored points. */
  onProgress?: (stored: number, total: number) => void;
}

export interface UpsertFailure {
  id: string;
  /**
   * Coded error: the backend's own message and status where there was one. DimensionMismatch /
   * InvalidVector for a bad vector (checked before sending); BackendError (with `status` and
   * `detail`) when the server refused the point or retries ran out; NotFound if the collection
   * vanished mid-way.
   */
  error: Error;
}

export interface UpsertResult {
  /** Ids confirmed stored (the request was acknowledged with wait: true). */
  stored: string[];
  /**
   * Ids that were not confirmed, after retries. "Not confirmed" is not "absent": a write whose
   * response was lost may have landed. Re-running the same upsert with them is safe.
   */
  failed: UpsertFailure[];
}

/**
 * Which payload keys to return: true (default) for all, false for none, or a list of top-level
 * keys to include (Qdrant's `with_payload: { include: [...] }`). Keys absent from a point are
 * simply absent from the result.
 */
export type PayloadSelector = boolean | readonly string[];

/**
 * How an approximate (HNSW) search is run. LocalBackend always searches exactly and ignores
 * these; QdrantBackend sends them as the query's `params`.
 */
export interface SearchParams {
  /** HNSW beam width; the effective value is never below the query's limit. Server default: ef_construct. */
  hnswEf?: number;
  /** Full scan instead of HNSW: exact results, cost linear in the collection. */
  exact?: boolean;
  /** With quantized vectors: skip them, rescore with the originals, fetch `oversampling` x limit candidates. */
  quantization?: { ignore?: boolean; rescore?: boolean; oversampling?: number };
}

export interface QueryRequest {
  vector: Float32Array;
  limit: number;
  filter?: Filter;
  withVector?: boolean;
  /** Default true. */
  withPayload?: PayloadSelector;
  /** Search parameters; QdrantBackend merges them over its configured defaults. */
  params?: SearchParams;
}

export interface RetrieveOptions {
  withVector?: boolean;
  /** Default true. */
  withPayload?: PayloadSelector;
}

export interface ScrollRequest {
  filter?: Filter;
  limit: number;
  /** Offset from the previous page's `nextOffset` (a point id); omit for the first page. */
  offset?: string;
  withVector?: boolean;
  /** Default true. */
  withPayload?: PayloadSelector;
}

export interface ScrollPage {
  points: Point[];
  nextOffset: string | null;
}

export interface Backend {
  /**
   * Creates the collection and its payload indexes. Throws Conflict if it exists. Not left
   * half-made: if an index cannot be created the collection is removed again.
   */
  createCollection(spec: CollectionSpec): Promise<void>;
  /** The collection's shape and metadata, or null when it does not exist. */
  describe(name: string): Promise<CollectionDescription | null>;
  /** Removes the collection and its points; a no-op when it does not exist. */
  deleteCollection(name: string): Promise<void>;
  /**
   * Idempotent by id: re-upserting a point replaces it (vector and whole payload). When an id
   * repeats within one call, its last occurrence wins and it is reported once. Never throws for
   * per-point failures; throws NotFound for an unknown collection, TypeError/RangeError for
   * malformed arguments (nothing is written then).
   */
  upsert(name: string, points: Point[], options?: UpsertOptions): Promise<UpsertResult>;
  /** Nearest points, best first (see distance semantics above). */
  query(name: string, request: QueryRequest): Promise<ScoredPoint[]>;
  /**
   * Points by id; ids that do not exist are omitted, a repeated id is returned once. Order
   * follows `ids`. `vector` is an empty Float32Array unless `withVector`.
   */
  retrieve(name: string, ids: string[], options?: RetrieveOptions): Promise<Point[]>;
  /** Pages through points in id order. */
  scroll(name: string, request: ScrollRequest): Promise<ScrollPage>;
  /** Deletes by ids or by filter. */
  delete(name: string, selector: { ids: string[] } | { filter: Filter }): Promise<void>;
  /** Exact count of points matching the filter (all points without one). */
  count(name: string, filter?: Filter): Promise<number>;
  /**
   * Overwrites the given payload keys of each point, leaving its other keys and vector alone;
   * several updates of one id apply in order. Throws NotFound (changing nothing) when an id does
   * not exist. Idempotent, so safe to re-run after a failure.
   */
  setPayload(name: string, updates: { id: string; payload: Payload }[]): Promise<void>;
  /**
   * Replaces the collection's metadata (the object `describe` returns). NotFound when the
   * collection does not exist. Optional until every backend implements it.
   */
  setMetadata?(name: string, metadata: Record<string, unknown>): Promise<void>;
  /** Names of every collection, sorted. Optional until every backend implements it. */
  listCollections?(): Promise<string[]>;
  /**
   * Adds the payload indexes a collection lacks (an existing collection made before a field was
   * filtered on; Qdrant in strict mode refuses filters on unindexed fields). Idempotent; returns
   * the fields it indexed. NotFound when the collection does not exist. Optional: a backend
   * without indexes has nothing to do.
   */
  ensureIndexes?(name: string, fields: IndexFields): Promise<string[]>;
  /** Releases files, locks and sockets. */
  close(): Promise<void>;
}

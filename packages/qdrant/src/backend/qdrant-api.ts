/**
 * The part of @qdrant/js-client-rest that QdrantBackend uses: the generated REST operations of
 * `client.api()`, identical in 1.18 and 1.19 for everything below. Going through them rather
 * than the convenience methods lets every request carry the query parameters Qdrant offers
 * (`timeout`, `consistency`, `ordering`, `wait`) and every body field (collection `metadata`,
 * which the 1.18 `createCollection` wrapper drops).
 *
 * Typed structurally, so a client from either version (or another copy of the package, as
 * `QdrantBackendOptions.client`) fits.
 */
import type { Schemas } from '@qdrant/js-client-rest';
import type { ReadConsistency, WriteOrdering } from './qdrant-config.js';

interface Response<R> {
  data: { result?: R | null };
}
type Op<A, R> = (arg: A) => Promise<Response<R>>;
interface Coll {
  collection_name: string;
}
interface Timeout {
  /** Seconds the server may spend on the request. */
  timeout?: number;
}
interface Write extends Timeout {
  wait?: boolean;
  ordering?: WriteOrdering;
}
interface Read extends Timeout {
  consistency?: ReadConsistency;
}

export interface QdrantApi {
  getCollections: Op<Record<string, never>, Schemas['CollectionsResponse']>;
  getCollection: Op<Coll, Schemas['CollectionInfo']>;
  createCollection: Op<Coll & Timeout & Schemas['CreateCollection'], boolean>;
  updateCollection: Op<Coll & Timeout & Schemas['UpdateCollection'], boolean>;
  deleteCollection: Op<Coll & Timeout, boolean>;
  createFieldIndex: Op<Coll & Write & Schemas['CreateFieldIndex'], Schemas['UpdateResult']>;
  createShardKey: Op<Coll & Timeout & Schemas['CreateShardingKey'], boolean>;
  listShardKeys: Op<Coll, Schemas['ShardKeysResponse']>;
  upsertPoints: Op<Coll & Write & Schemas['PointInsertOperations'], Schemas['UpdateResult']>;
  getPoints: Op<Coll & Read & Schemas['PointRequest'], Schemas['Record'][]>;
  deletePoints: Op<Coll & Write & Schemas['PointsSelector'], Schemas['UpdateResult']>;
  setPayload: Op<Coll & Write & Schemas['SetPayload'], Schemas['UpdateResult']>;
  scrollPoints: Op<Coll & Read & Schemas['ScrollRequest'], Schemas['ScrollResult']>;
  countPoints: Op<Coll & Read & Schemas['CountRequest'], Schemas['CountResult']>;
  queryPoints: Op<Coll & Read & Schemas['QueryRequest'], Schemas['QueryResponse']>;
}

const OPERATIONS: readonly (keyof QdrantApi)[] = [
  'getCollections',
  'getCollection',
  'createCollection',
  'updateCollection',
  'deleteCollection',
  'createFieldIndex',
  'createShardKey',
  'listShardKeys',
  'upsertPoints',
  'getPoints',
  'deletePoints',
  'setPayload',
  'scrollPoints',
  'countPoints',
  'queryPoints',
];

/** What QdrantBackend needs of a client: a `QdrantClient` of @qdrant/js-client-rest 1.18 or 1.19. */
export interface QdrantClientLike {
  api(): unknown;
}

/** The generated operations of `client`; TypeError naming what is missing when it is not a QdrantClient. */
export function apiOf(client: unknown, what: string): QdrantApi {
  if (client === null || typeof client !== 'object' || typeof (client as { api?: unknown }).api !== 'function') {
    throw new TypeError(`"${what}" expected a QdrantClient (@qdrant/js-client-rest 1.18 or 1.19)`);
  }
  const api = (client as QdrantClientLike).api() as Record<string, unknown> | null;
  const missing = OPERATIONS.filter((op) => typeof api?.[op] !== 'function');
  if (missing.length > 0) throw new TypeError(`"${what}" lacks the REST operations ${missing.join(', ')}; expected @qdrant/js-client-rest 1.18 or 1.19`);
  return api as unknown as QdrantApi;
}

/** The `result` of a response; Qdrant always sends one on success. */
export function resultOf<R>(res: Response<R>, op: string): R {
  const r = res.data.result;
  if (r === undefined || r === null) throw new Error(`Qdrant ${op}: the response has no result`);
  return r;
}

/**
 * SealedVectorStore: a LlamaIndex.TS vector store whose nodes are sealed by Sealvec. The database
 * sees encrypted vectors and sealed payloads only; every query runs as one user and returns only
 * the nodes that user's key opens.
 *
 * The user travels with each query: `customParams: { userKey }` (which VectorStoreIndex's
 * `asRetriever`, `asQueryEngine` and `asChatEngine` pass through), or the `options` argument of
 * `query`, or a store bound with `store.asUser(key)`. A query with no user is refused.
 */
import { getTopKMMREmbeddings } from '@llamaindex/core/embeddings';
import type { BaseNode } from '@llamaindex/core/schema';
import {
  BaseVectorStore,
  VectorStoreQueryMode,
  type VectorStoreBaseParams,
  type VectorStoreQuery,
  type VectorStoreQueryResult,
} from '@llamaindex/core/vector-store';
import { SchemeMismatch, type Metric, type PresetName, type UserKey, type VectorKeyset, type WriterKey } from '@sealvec/core';
import type { Backend, SealedCollection } from '@sealvec/qdrant';
import { REF_DOC_FIELD, toWhere } from './filters.js';
import { toNode, toPayload } from './nodes.js';
import { policiesFor, type PolicyChoice } from './policies.js';
import * as sealed from '@sealvec/qdrant/integration';

/** Per-query parameters: `customParams` of a VectorStoreQuery, or `query`'s options. */
export interface SealedQueryParams {
  /** The user this query runs as. */
  userKey?: UserKey | undefined;
  /** MMR mode: candidates fetched before selecting (default max(20, 4 * similarityTopK)). */
  mmrFetchK?: number | undefined;
}

export interface SealedVectorStoreOptions extends VectorStoreBaseParams {
  /** An open SealedCollection; or give `backend`, `collectionName` and `keyset` instead. */
  collection?: SealedCollection | undefined;
  /** The collection's backend (needed for `delete`, which deletes by ref_doc_id). */
  backend?: Backend | undefined;
  /** Opened when it exists, else created by the first `add` (dimension from its embeddings). */
  collectionName?: string | undefined;
  keyset?: VectorKeyset | undefined;
  tenant?: string | undefined;
  /** For a new collection: metric (default cosine), beta preset (default balanced). */
  metric?: Metric | undefined;
  preset?: PresetName | undefined;
  /** For a new collection: metadata fields queries may filter on by equality. `ref_doc_id` is always added. */
  blindIndexFields?: string[] | undefined;
  /** Seals added nodes. Without it the store is read-only. */
  writer?: WriterKey | undefined;
  /** The default user queries run as. */
  userKey?: UserKey | undefined;
  /** Policy of added nodes: one for all, or a function of each node. */
  policy?: PolicyChoice | undefined;
}

/** Where the collection comes from, shared by a store and the stores `asUser` derives from it. */
interface Source {
  options: SealedVectorStoreOptions;
  handle?: Promise<sealed.Handle>;
  opened?: sealed.Handle;
}

const PARAM_KEYS: readonly string[] = ['userKey', 'mmrFetchK'];

export class SealedVectorStore extends BaseVectorStore<SealedCollection | undefined, SealedQueryParams> {
  storesText = true;

  #source: Source;
  readonly #userKey: UserKey | undefined;

  constructor(options: SealedVectorStoreOptions) {
    super(options);
    if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected object');
    if (options.collection !== undefined) {
      if (typeof options.collection?.search !== 'function') throw new TypeError('"collection" expected a SealedCollection');
    } else {
      if (typeof options.backend?.query !== 'function') throw new TypeError('"backend" expected a Backend when no "collection" is given');
      if (typeof options.collectionName !== 'string' || options.collectionName === '') throw new TypeError('"collectionName" expected non-empty string');
      if (typeof options.keyset?.get !== 'function') throw new TypeError('"keyset" expected a VectorKeyset');
    }
    if (options.writer !== undefined && options.writer?.kind !== 'writer') throw new TypeError('"writer" expected a WriterKey');
    if (options.userKey !== undefined && options.userKey?.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
    const opened = options.collection !== undefined ? { collection: options.collection, backend: options.backend } : undefined;
    this.#source = { options, ...(opened !== undefined ? { opened, handle: Promise.resolve(opened) } : {}) };
    this.#userKey = options.userKey;
  }

  /** The SealedCollection, once opened or created (undefined before the first add or query). */
  client(): SealedCollection | undefined {
    return this.#source.opened?.collection;
  }

  /** A store over the same collection whose queries run as `userKey` by default. Cheap: make one per request. */
  asUser(userKey: UserKey): SealedVectorStore {
    if (userKey?.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
    const store = new SealedVectorStore({ ...this.#source.options, embedModel: this.embedModel, userKey });
    // Share the collection handle (and its lazy opening) rather than open it again.
    store.#source = this.#source;
    return store;
  }

  /**
   * Seals each node (text, metadata, relationships) with its embedding under its policy, then
   * stores them. Throws, writing nothing, on a bad node or embedding; throws IngestIncomplete
   * (code ERR_INGEST_INCOMPLETE, `failedIds`) when some nodes did not land. Returns the node ids.
   */
  async add(nodes: BaseNode[]): Promise<string[]> {
    if (!Array.isArray(nodes)) throw new TypeError('"nodes" expected array');
    if (nodes.length === 0) return [];
    const writer = this.#source.options.writer;
    if (writer === undefined) throw new TypeError('"writer" expected a WriterKey to add nodes: this store is read-only');
    const policies = policiesFor(nodes, this.#source.options.policy);
    const records = nodes.map((node, i) => ({ id: node.id_, vector: node.getEmbedding(), payload: toPayload(node), policy: policies[i]! }));
    const handle = await this.#handle({ create: { dimension: records[0]!.vector.length, writer } });
    return sealed.store(handle, records, writer);
  }

  /** Deletes every node of the source document `refDocId` (needs the writer key and the backend). */
  async delete(refDocId: string): Promise<void> {
    if (typeof refDocId !== 'string') throw new TypeError('"refDocId" expected string');
    const writer = this.#source.options.writer;
    if (writer === undefined) throw new TypeError('"writer" expected a WriterKey to delete: this store is read-only');
    await sealed.removeWhere(await this.#handle(), { [REF_DOC_FIELD]: refDocId }, writer);
  }

  async query(query: VectorStoreQuery<SealedQueryParams>, options?: SealedQueryParams): Promise<VectorStoreQueryResult> {
    if (typeof query !== 'object' || query === null) throw new TypeError('"query" expected a VectorStoreQuery');
    const params = { ...checkParams(query.customParams, 'query.customParams'), ...checkParams(options, 'options') };
    const userKey = params.userKey ?? this.#userKey;
    if (userKey === undefined) {
      throw new TypeError('"userKey" expected: pass customParams: { userKey } (e.g. index.asRetriever({ customParams: { userKey } })), or bind one with store.asUser(userKey)');
    }
    if (!Array.isArray(query.queryEmbedding)) throw new TypeError('"query.queryEmbedding" expected array of numbers');
    const mode = query.mode ?? VectorStoreQueryMode.DEFAULT;
    if (mode !== VectorStoreQueryMode.DEFAULT && mode !== VectorStoreQueryMode.MMR) {
      throw new RangeError(`"query.mode": ${JSON.stringify(mode)} is not supported over sealed records (use "default" or "mmr")`);
    }
    const handle = await this.#handle();
    const { collection } = handle;
    const where = toWhere(query.filters, query.docIds, collection.scheme.blindIndexFields, collection.name);
    const k = query.similarityTopK;
    if (mode === VectorStoreQueryMode.DEFAULT) {
      const hits = await sealed.search(handle, query.queryEmbedding, { userKey, k, where });
      return { nodes: hits.map((h) => toNode(h.payload)), similarities: hits.map((h) => h.score), ids: hits.map((h) => h.id) };
    }
    if (!sealed.keepsExactVectors(handle)) throw new SchemeMismatch(`MMR needs exact vectors, and collection "${collection.name}" was created without them`);
    const fetchK = params.mmrFetchK ?? Math.max(20, 4 * k);
    const hits = await sealed.search(handle, query.queryEmbedding, { userKey, k: Math.max(fetchK, k), where, withVector: true });
    const [scores, ids] = getTopKMMREmbeddings(
      query.queryEmbedding,
      hits.map((h) => Array.from(h.vector!)),
      null,
      k,
      hits.map((_, i) => i),
      null,
      query.mmrThreshold ?? null,
    );
    const picked = (ids as number[]).map((i) => hits[i]!);
    return { nodes: picked.map((h) => toNode(h.payload)), similarities: scores, ids: picked.map((h) => h.id) };
  }

  /** Opens (or, for `add`, creates) the collection once, sharing the handle with `asUser` stores. */
  #handle(o: { create?: { dimension: number; writer: WriterKey } } = {}): Promise<sealed.Handle> {
    const source = this.#source;
    if (source.handle !== undefined) return source.handle;
    const opt = source.options;
    const pending = o.create
      ? sealed.openOrCreate({
          backend: opt.backend!,
          name: opt.collectionName!,
          dimension: o.create.dimension,
          keyset: opt.keyset!,
          writer: o.create.writer,
          tenant: opt.tenant,
          metric: opt.metric,
          preset: opt.preset,
          blindIndexFields: [...new Set([...(opt.blindIndexFields ?? []), REF_DOC_FIELD])],
        })
      : openExisting(opt, this.#userKey);
    source.handle = pending.then(
      (h) => ((source.opened = h), h),
      (e: unknown) => {
        // A failed open may succeed later (e.g. after the first add creates the collection).
        delete source.handle;
        throw e;
      },
    );
    return source.handle;
  }
}

function openExisting(opt: SealedVectorStoreOptions, userKey: UserKey | undefined): Promise<sealed.Handle> {
  const key = opt.writer ?? userKey;
  if (key === undefined) throw new TypeError('"writer" or "userKey" expected: a key of the collection\'s authority');
  return sealed.open({ backend: opt.backend!, name: opt.collectionName!, keyset: opt.keyset!, tenant: opt.tenant, key });
}

function checkParams(p: unknown, name: string): SealedQueryParams {
  if (p === undefined || p === null) return {};
  if (typeof p !== 'object') throw new TypeError(`"${name}" expected object`);
  for (const key of Object.keys(p)) {
    if (!PARAM_KEYS.includes(key)) throw new RangeError(`"${name}.${key}" is not a parameter of the sealed store (expected ${PARAM_KEYS.join(', ')})`);
  }
  const { userKey, mmrFetchK } = p as SealedQueryParams;
  if (userKey !== undefined && userKey?.kind !== 'user') throw new TypeError(`"${name}.userKey" expected a UserKey`);
  if (mmrFetchK !== undefined && !(Number.isSafeInteger(mmrFetchK) && mmrFetchK >= 1)) throw new RangeError(`"${name}.mmrFetchK" expected integer >= 1`);
  return { ...(userKey !== undefined ? { userKey } : {}), ...(mmrFetchK !== undefined ? { mmrFetchK } : {}) };
}

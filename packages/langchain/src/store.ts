/**
 * SealedVectorStore: a LangChain.js VectorStore whose records are sealed by Sealvec. The database
 * sees encrypted vectors and sealed payloads only; every search runs as one user and returns only
 * the documents that user's key opens.
 *
 * One store serves many users: bind the caller's key per request with `store.asUser(key)`, which
 * returns a light store (and, through it, a retriever) for that user over the same collection.
 * LangChain's own search calls carry no user, so a store without a bound key refuses to search.
 */
import type { Callbacks } from '@langchain/core/callbacks/manager';
import { Document, type DocumentInterface } from '@langchain/core/documents';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import { maximalMarginalRelevance } from '@langchain/core/utils/math';
import { VectorStore, type MaxMarginalRelevanceSearchOptions } from '@langchain/core/vectorstores';
import { SchemeMismatch, type Metric, type PresetName, type UserKey, type VectorKeyset, type WriterKey } from '@sealvec/core';
import type { Backend, SealedCollection } from '@sealvec/qdrant';
import { DEFAULT_CONTENT_KEY, toDocument, toPayload, type AnyMetadata, type Metadata } from './payload.js';
import { policiesFor, type PolicyChoice } from './policies.js';
import * as sealed from '@sealvec/qdrant/integration';

/** Equality on blind-indexed metadata fields, ANDed: `{ source: 'handbook', year: 2026 }`. */
export type SealedFilter = sealed.Where;

export interface SealedVectorStoreArgs<M extends AnyMetadata = Metadata> {
  /** An open SealedCollection (see @sealvec/qdrant), or use `fromTexts` / `fromExistingCollection`. */
  collection: SealedCollection;
  /** The collection's backend; needed only for `delete({ filter })`. */
  backend?: Backend | undefined;
  /** Seals added documents. Without it the store is read-only. */
  writer?: WriterKey | undefined;
  /** The user searches run as. Usually bound per request with `asUser` instead. */
  userKey?: UserKey | undefined;
  /** Default policy of added documents: one for all, or a function of each document. */
  policy?: PolicyChoice<M> | undefined;
  /** Payload key holding the page content (default "pageContent"); metadata may not use it. */
  contentKey?: string | undefined;
}

export interface SealedAddOptions<M extends AnyMetadata = Metadata> {
  /** Record ids, used where a document has no `id` (default: a random UUID). */
  ids?: string[];
  /** Policies for this call, overriding the store's default. */
  policy?: PolicyChoice<M>;
}

/** Where `fromTexts`, `fromDocuments` and `fromExistingCollection` find or make the collection. */
export interface SealedCollectionConfig<M extends AnyMetadata = Metadata> extends Omit<SealedVectorStoreArgs<M>, 'collection' | 'backend'> {
  backend: Backend;
  collectionName: string;
  keyset: VectorKeyset;
  tenant?: string | undefined;
  /** For a new collection created from no documents (otherwise the embeddings give it). */
  dimension?: number | undefined;
  /** For a new collection (default cosine; the embeddings' metric). */
  metric?: Metric | undefined;
  /** For a new collection: beta preset (default 'balanced'). */
  preset?: PresetName | undefined;
  /** For a new collection: metadata fields the database may filter on by equality (blind indexes). */
  blindIndexFields?: string[] | undefined;
}

export class SealedVectorStore<M extends AnyMetadata = Metadata> extends VectorStore {
  declare FilterType: SealedFilter;

  readonly #handle: sealed.Handle;
  readonly #writer: WriterKey | undefined;
  readonly #userKey: UserKey | undefined;
  readonly #policy: PolicyChoice<M> | undefined;
  readonly #contentKey: string;

  _vectorstoreType(): string {
    return 'sealvec';
  }

  constructor(embeddings: EmbeddingsInterface, args: SealedVectorStoreArgs<M>) {
    // Nothing is handed to LangChain's serializable kwargs: keys stay out of toJSON().
    super(embeddings, {});
    if (typeof args !== 'object' || args === null) throw new TypeError('"args" expected object with a collection');
    if (typeof args.collection?.search !== 'function') throw new TypeError('"collection" expected a SealedCollection');
    if (args.writer !== undefined && args.writer?.kind !== 'writer') throw new TypeError('"writer" expected a WriterKey');
    if (args.userKey !== undefined && args.userKey?.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
    const contentKey = args.contentKey ?? DEFAULT_CONTENT_KEY;
    if (typeof contentKey !== 'string' || contentKey === '') throw new TypeError('"contentKey" expected non-empty string');
    this.#handle = { collection: args.collection, backend: args.backend };
    this.#writer = args.writer;
    this.#userKey = args.userKey;
    this.#policy = args.policy;
    this.#contentKey = contentKey;
  }

  /** The underlying SealedCollection. */
  get collection(): SealedCollection {
    return this.#handle.collection;
  }

  /** A store over the same collection whose searches (and retrievers) run as `userKey`. Cheap: make one per request. */
  asUser(userKey: UserKey): SealedVectorStore<M> {
    if (userKey?.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
    return new SealedVectorStore<M>(this.embeddings, {
      collection: this.#handle.collection,
      backend: this.#handle.backend,
      writer: this.#writer,
      userKey,
      policy: this.#policy,
      contentKey: this.#contentKey,
    });
  }

  override async addDocuments(documents: DocumentInterface<M>[], options?: SealedAddOptions<M>): Promise<string[]> {
    if (!Array.isArray(documents)) throw new TypeError('"documents" expected array');
    if (documents.length === 0) return [];
    const vectors = await this.embeddings.embedDocuments(documents.map((d) => d.pageContent));
    return this.addVectors(vectors, documents, options);
  }

  /**
   * Seals each document (text and metadata) with its vector under its policy, then stores them.
   * Throws, writing nothing, on a bad document or vector; throws IngestIncomplete (code
   * ERR_INGEST_INCOMPLETE, `failedIds`) when some records did not land. Returns the record ids.
   */
  override async addVectors(vectors: number[][], documents: DocumentInterface<M>[], options?: SealedAddOptions<M>): Promise<string[]> {
    if (!Array.isArray(vectors)) throw new TypeError('"vectors" expected array');
    if (!Array.isArray(documents)) throw new TypeError('"documents" expected array');
    if (vectors.length !== documents.length) throw new RangeError(`"vectors" expected one vector per document (${documents.length}), got ${vectors.length}`);
    if (documents.length === 0) return [];
    const writer = this.#requireWriter('add documents');
    const ids = documents.map((d, i) => d.id ?? options?.ids?.[i] ?? globalThis.crypto.randomUUID());
    const policies = policiesFor(documents, ids, options?.policy, this.#policy);
    const records = documents.map((doc, i) => ({
      id: ids[i]!,
      vector: vectors[i]!,
      payload: toPayload(doc, this.#contentKey, `documents[${i}]`),
      policy: policies[i]!,
    }));
    return sealed.store(this.#handle, records, writer);
  }

  /**
   * Nearest documents this store's user may open, with exact scores after re-ranking: cosine
   * similarity (higher is nearer) for cosine collections, Euclidean distance (lower) for euclid,
   * inner product (higher) for dot.
   */
  override async similaritySearchVectorWithScore(query: number[], k: number, filter?: SealedFilter): Promise<[Document<M>, number][]> {
    const hits = await sealed.search(this.#handle, query, { userKey: this.#requireUser(), k, where: filter });
    return hits.map((h) => [toDocument<M>(h.id, h.payload, this.#contentKey), h.score]);
  }

  override async similaritySearch(query: string, k = 4, filter?: SealedFilter, callbacks?: Callbacks): Promise<Document<M>[]> {
    return (await super.similaritySearch(query, k, filter, callbacks)) as Document<M>[];
  }

  override async similaritySearchWithScore(query: string, k = 4, filter?: SealedFilter, callbacks?: Callbacks): Promise<[Document<M>, number][]> {
    return (await super.similaritySearchWithScore(query, k, filter, callbacks)) as [Document<M>, number][];
  }

  /**
   * Maximal marginal relevance over the `fetchK` nearest documents the user may open, using their
   * exact decrypted vectors (so the collection must keep exact vectors, the default).
   */
  override async maxMarginalRelevanceSearch(query: string, options: MaxMarginalRelevanceSearchOptions<SealedFilter>, _callbacks?: Callbacks): Promise<Document<M>[]> {
    const k = options?.k ?? 4;
    const fetchK = options?.fetchK ?? 20;
    if (!sealed.keepsExactVectors(this.#handle)) {
      throw new SchemeMismatch(`maximal marginal relevance needs exact vectors, and collection "${this.collection.name}" was created without them`);
    }
    const userKey = this.#requireUser();
    const q = await this.embeddings.embedQuery(query);
    const hits = await sealed.search(this.#handle, q, { userKey, k: Math.max(fetchK, k), where: options?.filter, withVector: true });
    if (hits.length === 0) return [];
    const picked = maximalMarginalRelevance(q, hits.map((h) => Array.from(h.vector!)), options?.lambda ?? 0.5, k);
    return picked.map((i) => toDocument<M>(hits[i]!.id, hits[i]!.payload, this.#contentKey));
  }

  /** Deletes by record id, or (with the writer and backend) every record whose blind-indexed fields match `filter`. */
  override async delete(params?: { ids?: string[]; filter?: SealedFilter }): Promise<void> {
    if (params?.ids !== undefined) {
      if (!Array.isArray(params.ids) || !params.ids.every((id) => typeof id === 'string')) throw new TypeError('"ids" expected array of strings');
      await sealed.removeIds(this.#handle, params.ids);
    } else if (params?.filter !== undefined) {
      await sealed.removeWhere(this.#handle, params.filter, this.#requireWriter('delete by filter'));
    } else {
      throw new TypeError('"params" expected { ids } or { filter }');
    }
  }

  #requireWriter(what: string): WriterKey {
    if (this.#writer === undefined) throw new TypeError(`"writer" expected a WriterKey to ${what}: this store is read-only`);
    return this.#writer;
  }

  #requireUser(): UserKey {
    if (this.#userKey === undefined) throw new TypeError('"userKey" expected: bind the caller with store.asUser(userKey) before searching');
    return this.#userKey;
  }

  /** Creates the collection if needed (dimension from the embeddings), adds the texts, returns the store. */
  static override async fromTexts<M extends AnyMetadata = Metadata>(
    texts: string[],
    metadatas: M[] | M,
    embeddings: EmbeddingsInterface,
    config: SealedCollectionConfig<M>,
  ): Promise<SealedVectorStore<M>> {
    if (!Array.isArray(texts)) throw new TypeError('"texts" expected array of strings');
    const docs = texts.map((pageContent, i) => new Document<M>({ pageContent, metadata: (Array.isArray(metadatas) ? metadatas[i] : metadatas) ?? ({} as M) }));
    return SealedVectorStore.fromDocuments(docs, embeddings, config);
  }

  static override async fromDocuments<M extends AnyMetadata = Metadata>(docs: DocumentInterface<M>[], embeddings: EmbeddingsInterface, config: SealedCollectionConfig<M>): Promise<SealedVectorStore<M>> {
    if (!Array.isArray(docs)) throw new TypeError('"docs" expected array');
    if (config?.writer === undefined) throw new TypeError('"writer" expected a WriterKey to create the collection and add documents');
    // Embed first: the vectors give the dimension, and nothing is created if embedding fails.
    const vectors = docs.length > 0 ? await embeddings.embedDocuments(docs.map((d) => d.pageContent)) : [];
    const dimension = vectors[0]?.length ?? config.dimension;
    if (dimension === undefined) throw new RangeError('"dimension" expected for a new collection when there are no documents to take it from');
    const handle = await sealed.openOrCreate({
      backend: config.backend,
      name: config.collectionName,
      dimension,
      keyset: config.keyset,
      writer: config.writer,
      tenant: config.tenant,
      metric: config.metric,
      preset: config.preset,
      blindIndexFields: config.blindIndexFields,
    });
    const store = new SealedVectorStore<M>(embeddings, { ...storeArgs(config), collection: handle.collection, backend: handle.backend });
    if (docs.length > 0) await store.addVectors(vectors, docs);
    return store;
  }

  /** Opens an existing collection (NotFound when there is none). */
  static async fromExistingCollection<M extends AnyMetadata = Metadata>(embeddings: EmbeddingsInterface, config: SealedCollectionConfig<M>): Promise<SealedVectorStore<M>> {
    const key = config?.writer ?? config?.userKey;
    if (key === undefined) throw new TypeError('"writer" or "userKey" expected: a key of the collection\'s authority');
    const handle = await sealed.open({ backend: config.backend, name: config.collectionName, keyset: config.keyset, tenant: config.tenant, key });
    return new SealedVectorStore<M>(embeddings, { ...storeArgs(config), collection: handle.collection, backend: handle.backend });
  }
}

function storeArgs<M extends AnyMetadata>(config: SealedCollectionConfig<M>): Omit<SealedVectorStoreArgs<M>, 'collection'> {
  return { writer: config.writer, userKey: config.userKey, policy: config.policy, contentKey: config.contentKey };
}

/**
 * SealedVectorStore against LangChain's own expectations, on the embedded store and on Qdrant
 * (QdrantBackend over HTTP to the in-process stand-in).
 *
 * The cases marked [@langchain/qdrant] are ported from the tests of LangChain's Qdrant store,
 * langchain-ai/langchainjs @ 62fc484b, libs/providers/langchain-qdrant/src/tests/:
 * vectorstores.test.ts (unit, mocked client) and vectorstores.int.test.ts (against a server).
 * Where the original checks the calls made to a mocked client, the port checks the behaviour
 * those calls exist for. Embeddings are the fixtures' precomputed vectors, never a network.
 */
import { Document } from '@langchain/core/documents';
import { maximalMarginalRelevance } from '@langchain/core/utils/math';
import { DimensionMismatch, IngestIncomplete, InvalidPolicy, Malformed, VectorKeyset, type UserKey } from '@sealvec/core';
import { BACKENDS, cosine, openaiChunks, scenarioKeys, type Chunk, type OpenedBackend } from '@sealvec/testkit';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { SealedVectorStore, type AnyMetadata, type Metadata, type SealedCollectionConfig } from './index.js';
import { FixtureEmbeddings, wordEmbeddings } from './__tests__/embeddings.js';

const chunks = openaiChunks();
const chunk = (row: number): Chunk => chunks.find((c) => c.row === row)!;
const doc = (row: number, metadata: Metadata = {}) => new Document({ pageContent: chunk(row).text, metadata });

describe.each(BACKENDS)('SealedVectorStore on $name', (target) => {
  let opened: OpenedBackend;
  let n = 0;
  const keys = scenarioKeys();
  const { alice, bob } = keys;

  beforeAll(async () => {
    opened = await target.open();
  });
  afterAll(async () => {
    await opened.close();
  });

  /** A fresh collection name per test; research-only documents unless the test says otherwise. */
  function config<M extends AnyMetadata = Metadata>(extra: Partial<SealedCollectionConfig<M>> = {}): SealedCollectionConfig<M> {
    return {
      backend: opened.backend,
      collectionName: `lc-${++n}`,
      keyset: VectorKeyset.create(),
      writer: keys.writer,
      policy: 'department=research',
      blindIndexFields: ['source'],
      dimension: 1536,
      ...extra,
    };
  }

  async function emptyStore(extra: Partial<SealedCollectionConfig> = {}) {
    return SealedVectorStore.fromDocuments([], new FixtureEmbeddings(), config(extra));
  }

  describe('[@langchain/qdrant] ported cases', () => {
    // vectorstores.test.ts "QdrantVectorStore works": add one document, then search.
    it('works: an added document is found by its reader, and by nobody else', async () => {
      const store = await emptyStore();
      const ids = await store.addDocuments([doc(0)]);
      expect(ids).toHaveLength(1);
      expect(await store.collection.count()).toBe(1);
      expect(await store.asUser(bob).similaritySearch(chunk(0).text, 1)).toHaveLength(0);
      const [found] = await store.asUser(alice).similaritySearch(chunk(0).text, 1);
      expect(found).toEqual(new Document({ id: ids[0]!, pageContent: chunk(0).text, metadata: {} }));
    });

    // vectorstores.test.ts "adds vectors with custom payload": extra structured payload travels
    // with the document. Here it is metadata, sealed with the text.
    it('adds documents with a custom payload, which comes back exactly and is not stored in the clear', async () => {
      const store = await emptyStore();
      const customPayload = [{ customField1: 'value1', customField2: 'value2' }];
      await store.addDocuments([doc(1, { customPayload })]);
      const [found] = await store.asUser(alice).similaritySearch(chunk(1).text, 1);
      expect(found?.metadata).toEqual({ customPayload });
      const raw = await opened.backend.scroll(store.collection.name, { limit: 10 });
      const stored = JSON.stringify(raw.points.map((p) => p.payload));
      expect(stored).not.toContain('value1');
      expect(stored).not.toContain('customField1');
      expect(stored).not.toContain(chunk(1).text.slice(0, 30));
    });

    // vectorstores.test.ts "adds vectors with multiple custom payload": each document keeps its own.
    it('adds several documents, each keeping its own metadata', async () => {
      const store = await emptyStore();
      const metas = [{ customField1: 'value1', customField2: 'value2' }, { customField3: 'value3' }, {}];
      await store.addDocuments([doc(2, metas[0]), doc(3, metas[1]), doc(4, metas[2])]);
      const reader = store.asUser(alice);
      for (const [i, row] of [2, 3, 4].entries()) {
        const [found] = await reader.similaritySearch(chunk(row).text, 1);
        expect(found?.pageContent).toBe(chunk(row).text);
        expect(found?.metadata).toEqual(metas[i]);
      }
    });

    // vectorstores.test.ts "adds vectors with no custom payload".
    it('adds a document with no metadata, which comes back with empty metadata', async () => {
      const store = await emptyStore();
      await store.addDocuments([{ pageContent: chunk(5).text, metadata: {} }]);
      const [found] = await store.asUser(alice).similaritySearch(chunk(5).text, 1);
      expect(found?.metadata).toEqual({});
    });

    // vectorstores.test.ts "MMR works" (k 10 over fetchK 7) and vectorstores.int.test.ts "base
    // usage": add with an id, find it by similarity and by MMR, equal to the document added.
    it('base usage: finds a document with its id by similarity and by maximal marginal relevance', async () => {
      const store = await emptyStore();
      const id = globalThis.crypto.randomUUID();
      const pageContent = chunk(6).text;
      await store.addDocuments([{ pageContent, metadata: {}, id }]);
      const reader = store.asUser(alice);
      expect((await reader.similaritySearch(pageContent, 1))[0]).toEqual(new Document({ metadata: {}, pageContent, id }));
      const mmr = await reader.maxMarginalRelevanceSearch(pageContent, { k: 1 });
      expect(mmr).toEqual([new Document({ metadata: {}, pageContent, id })]);
      expect(await reader.maxMarginalRelevanceSearch(pageContent, { k: 10, fetchK: 7 })).toHaveLength(1);
    });

    // vectorstores.int.test.ts "passing client directly with a model that creates embeddings with
    // a different number of dimensions": fromDocuments sizes the collection from the embeddings.
    it('fromDocuments with a model of another dimension (100-d words) sizes the collection from it', async () => {
      const store = await SealedVectorStore.fromDocuments([{ pageContent: 'king', metadata: {} }], wordEmbeddings(), config({ dimension: undefined }));
      expect(store.collection.dimension).toBe(100);
      const [found] = await store.asUser(alice).similaritySearch('king', 1);
      expect(found?.metadata).toEqual({});
      expect(found?.pageContent).toBe('king');
      // A 1536-d vector does not fit: refused before anything is written.
      await expect(store.addVectors([[...chunk(0).vector]], [doc(0)])).rejects.toBeInstanceOf(DimensionMismatch);
      expect(await store.collection.count()).toBe(1);
    });

    // vectorstores.int.test.ts "maxMarginalRelevanceSearch returns diverse results".
    it('maxMarginalRelevanceSearch returns k diverse results: LangChain MMR over the exact vectors', async () => {
      // Rows 14 and 32 are the re-ranking slide and its summary: near duplicates.
      const rows = [14, 32, 13, 31, 12, 30, 11];
      const store = await SealedVectorStore.fromDocuments(rows.map((r) => doc(r)), new FixtureEmbeddings(), config());
      const got = await store.asUser(alice).maxMarginalRelevanceSearch(chunk(14).text, { k: 3, fetchK: rows.length, lambda: 0.3 });
      expect(got).toHaveLength(3);
      // The reference: LangChain's MMR over the plaintext vectors of every document.
      const q = [...chunk(14).vector];
      const ranked = [...rows].sort((a, b) => cosine(q, chunk(b).vector) - cosine(q, chunk(a).vector));
      const want = maximalMarginalRelevance(q, ranked.map((r) => [...chunk(r).vector]), 0.3, 3).map((i) => chunk(ranked[i]!).text);
      expect(got.map((d) => d.pageContent)).toEqual(want);
      const plain = (await store.asUser(alice).similaritySearch(chunk(14).text, 3)).map((d) => d.pageContent);
      expect(got.map((d) => d.pageContent)).not.toEqual(plain);
    });
  });

  describe('filters, delete, constructors, retriever', () => {
    async function twoSources() {
      const docs = [doc(20, { source: 'rag' }), doc(21, { source: 'rag' }), doc(60, { source: 'evals' }), doc(61, { source: 'evals' })];
      return SealedVectorStore.fromDocuments(docs, new FixtureEmbeddings(), config());
    }

    it('filters by equality on a blind-indexed metadata field', async () => {
      const reader = (await twoSources()).asUser(alice);
      const evals = await reader.similaritySearch(chunk(20).text, 4, { source: 'evals' });
      expect(evals.map((d) => d.metadata['source'])).toEqual(['evals', 'evals']);
      expect(await reader.similaritySearch(chunk(20).text, 4, { source: 'nothing' })).toEqual([]);
      await expect(reader.similaritySearch(chunk(20).text, 4, { title: 'x' })).rejects.toThrow(/"where.title": field is not blind-indexed/);
    });

    it('returns scores: cosine similarity, 1 for the document itself', async () => {
      const reader = (await twoSources()).asUser(alice);
      const [[top, score], [, second]] = (await reader.similaritySearchWithScore(chunk(21).text, 2)) as [[Document, number], [Document, number]];
      expect(top.pageContent).toBe(chunk(21).text);
      expect(score).toBeCloseTo(1, 5);
      expect(second).toBeLessThan(score);
    });

    it('deletes by id, for every reader', async () => {
      const store = await twoSources();
      const [first] = await store.asUser(alice).similaritySearch(chunk(20).text, 1);
      await store.delete({ ids: [first!.id!] });
      expect(await store.collection.count()).toBe(3);
      expect((await store.asUser(alice).similaritySearch(chunk(20).text, 4)).map((d) => d.pageContent)).not.toContain(chunk(20).text);
    });

    it('deletes by a blind-indexed filter with the writer key', async () => {
      const store = await twoSources();
      await store.delete({ filter: { source: 'rag' } });
      expect(await store.collection.count()).toBe(2);
      const left = await store.asUser(alice).similaritySearch(chunk(20).text, 4);
      expect(left.map((d) => d.metadata['source'])).toEqual(['evals', 'evals']);
      await expect(store.delete({ filter: { title: 'x' } })).rejects.toThrow(/not blind-indexed/);
      await expect(store.delete({})).rejects.toBeInstanceOf(TypeError);
    });

    it('fromTexts takes one metadata object per text, or one for all', async () => {
      const texts = [chunk(7).text, chunk(8).text];
      const each = await SealedVectorStore.fromTexts(texts, [{ n: 1 }, { n: 2 }], new FixtureEmbeddings(), config());
      expect((await each.asUser(alice).similaritySearch(chunk(8).text, 1))[0]?.metadata).toEqual({ n: 2 });
      const shared = await SealedVectorStore.fromTexts(texts, { n: 9 }, new FixtureEmbeddings(), config());
      expect((await shared.asUser(alice).similaritySearch(chunk(7).text, 2)).map((d) => d.metadata)).toEqual([{ n: 9 }, { n: 9 }]);
    });

    it('fromExistingCollection opens a collection read-only with a user key', async () => {
      const written = await twoSources();
      const readOnly = await SealedVectorStore.fromExistingCollection(new FixtureEmbeddings(), {
        backend: opened.backend,
        collectionName: written.collection.name,
        keyset: written.collection.keyset,
        userKey: alice,
      });
      expect((await readOnly.similaritySearch(chunk(60).text, 1))[0]?.pageContent).toBe(chunk(60).text);
      await expect(readOnly.addDocuments([doc(9)])).rejects.toThrow(/"writer" expected a WriterKey to add documents/);
      await expect(
        SealedVectorStore.fromExistingCollection(new FixtureEmbeddings(), { backend: opened.backend, collectionName: 'absent', keyset: VectorKeyset.create(), userKey: alice }),
      ).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    });

    it('serves many users from one store: asUser(key).asRetriever().invoke()', async () => {
      const docs = [doc(22, { source: 'rag' }), doc(40, { source: 'models' })];
      const store = await SealedVectorStore.fromDocuments(docs, new FixtureEmbeddings(), config({ policy: (d) => `department=${d.metadata['source'] === 'rag' ? 'research' : 'product'}` }));
      const retrieve = (key: UserKey) => store.asUser(key).asRetriever({ k: 2 }).invoke(chunk(22).text);
      expect((await retrieve(alice)).map((d) => d.metadata['source'])).toEqual(['rag']);
      expect((await retrieve(bob)).map((d) => d.metadata['source'])).toEqual(['models']);
      // LangChain's calls carry no user: an unbound store refuses rather than guessing one.
      await expect(store.asRetriever().invoke(chunk(22).text)).rejects.toThrow(/store\.asUser\(userKey\)/);
      expect(() => store.asUser(keys.writer as unknown as UserKey)).toThrow(TypeError);
    });

    it('types metadata: an interface works, and searches return it typed', async () => {
      interface Meta {
        source: string;
        n: number;
      }
      const store = await SealedVectorStore.fromDocuments<Meta>([{ pageContent: chunk(15).text, metadata: { source: 'rag', n: 1 } }], new FixtureEmbeddings(), config<Meta>());
      const [found] = await store.asUser(alice).similaritySearch(chunk(15).text, 1);
      expectTypeOf(found!.metadata).toEqualTypeOf<Meta>();
      expect(found!.metadata).toEqual({ source: 'rag', n: 1 });
    });

    it('the MMR retriever works per user too', async () => {
      const store = await twoSources();
      const got = await store.asUser(alice).asRetriever({ k: 2, searchType: 'mmr', searchKwargs: { fetchK: 4 } }).invoke(chunk(20).text);
      expect(got).toHaveLength(2);
      expect(got[0]?.pageContent).toBe(chunk(20).text);
    });
  });

  describe('bad input: a coded error, nothing written', () => {
    it('a document without a policy names it, and nothing is written', async () => {
      const store = await emptyStore({ policy: undefined });
      const err = await store.addDocuments([doc(10), { ...doc(11), id: 'no-policy' }], { policy: (d) => (d.pageContent === chunk(10).text ? '*' : undefined) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidPolicy);
      expect((err as Error).message).toContain('"no-policy"');
      expect(await store.collection.count()).toBe(0);
      await expect(store.addDocuments([doc(10)])).rejects.toBeInstanceOf(InvalidPolicy);
    });

    it('metadata using the content key is refused', async () => {
      const store = await emptyStore();
      await expect(store.addDocuments([doc(10, { pageContent: 'x' })])).rejects.toBeInstanceOf(Malformed);
      expect(await store.collection.count()).toBe(0);
    });

    it('vectors and documents must pair up; documents must be documents', async () => {
      const store = await emptyStore();
      await expect(store.addVectors([[...chunk(10).vector]], [doc(10), doc(11)])).rejects.toBeInstanceOf(RangeError);
      await expect(store.addVectors([[...chunk(10).vector]], [{ metadata: {} } as unknown as Document])).rejects.toThrow(/"documents\[0\]\.pageContent" expected string/);
      await expect(store.addVectors([[...chunk(10).vector].fill(Number.NaN)], [doc(10)])).rejects.toMatchObject({ code: 'ERR_INVALID_VECTOR' });
      expect(await store.collection.count()).toBe(0);
    });

    it('argument types are checked', () => {
      const e = new FixtureEmbeddings();
      expect(() => new SealedVectorStore(e, {} as never)).toThrow(/"collection" expected a SealedCollection/);
      expect(() => new SealedVectorStore(e, null as never)).toThrow(TypeError);
    });

    // Fault injection needs the Qdrant stand-in; the embedded store never refuses a valid point.
    if (target.canRejectUpserts) it('records the database refuses throw IngestIncomplete naming exactly them; re-adding is safe', async () => {
      const store = await emptyStore();
      const docs = [12, 13, 14].map((r) => ({ ...doc(r), id: `doc-${r}` }));
      opened.rejectUpserts!((payload) => payload['id'] === 'doc-13');
      let err: unknown;
      try {
        await store.addDocuments(docs);
      } catch (e) {
        err = e;
      } finally {
        opened.rejectUpserts!(null);
      }
      expect(err).toBeInstanceOf(IngestIncomplete);
      // Qdrant refuses a whole request for one bad point, and the backend splits batches only on
        // size errors (docs/qdrant.md): every record of the refused request is named, and none landed.
        expect(err).toMatchObject({ code: 'ERR_INGEST_INCOMPLETE', failedIds: ['doc-12', 'doc-13', 'doc-14'] });
      expect((err as Error).message).toContain('"doc-13"');
      expect(await store.addDocuments(docs)).toEqual(['doc-12', 'doc-13', 'doc-14']);
      expect(await store.collection.count()).toBe(3);
    });
  });
});

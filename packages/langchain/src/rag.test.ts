/**
 * End to end: retrieval-augmented generation's retrieval step over the OpenAI fixture (84 real
 * chunks of four OpenAI cookbook PDFs, text-embedding-3-small), two users in one collection.
 * alice (research) may read the RAG and evals PDFs, bob (product) the models and fine-tuning
 * PDFs. Each retrieves through LangChain's retriever and must get only chunks their key opens,
 * ranked as exact plaintext search over those chunks would rank them.
 */
import type { DocumentInterface } from '@langchain/core/documents';
import { VectorKeyset, type UserKey } from '@sealvec/core';
import { BACKENDS, DEPARTMENT, QUERY_ROWS, openaiChunks, scenarioKeys, scoreRetrieval, type ChunkSource, type OpenedBackend } from '@sealvec/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SealedVectorStore } from './index.js';
import { FixtureEmbeddings } from './__tests__/embeddings.js';

interface ChunkMeta {
  source: ChunkSource;
  row: number;
}

const chunks = openaiChunks();
const K = 4;

describe.each(BACKENDS)('RAG retrieval for two users on $name', (target) => {
  let opened: OpenedBackend;
  let store: SealedVectorStore<ChunkMeta>;
  const keys = scenarioKeys();

  beforeAll(async () => {
    opened = await target.open();
    store = await SealedVectorStore.fromDocuments<ChunkMeta>(
      chunks.map((c) => ({ pageContent: c.text, metadata: { source: c.source, row: c.row }, id: `chunk-${c.row}` })),
      new FixtureEmbeddings(),
      {
        backend: opened.backend,
        collectionName: 'cookbook',
        keyset: VectorKeyset.create(),
        writer: keys.writer,
        blindIndexFields: ['source'],
        // Each chunk's policy comes from its metadata.
        policy: (doc) => ({ department: [DEPARTMENT[doc.metadata.source]] }),
      },
    );
  });
  afterAll(async () => {
    await opened.close();
  });

  const users: [string, 'research' | 'product', () => UserKey][] = [
    ['alice', 'research', () => keys.alice],
    ['bob', 'product', () => keys.bob],
  ];

  it('stores every chunk', async () => {
    expect(await store.collection.count()).toBe(chunks.length);
  });

  for (const [name, department, key] of users) {
    it(`${name} retrieves only ${department}'s chunks, ranked like exact plaintext search over them`, async () => {
      const retriever = store.asUser(key()).asRetriever({ k: K });
      // LangChain's retriever is not generic in metadata; the store's own searches are.
      const score = await scoreRetrieval(department, K, async (text) => ((await retriever.invoke(text)) as DocumentInterface<ChunkMeta>[]).map((d) => d.metadata.row));
      expect(score).toMatchObject({ foreign: [], wrongCount: [], selfNotFirst: [] });
      // Re-ranking by exact decrypted vectors: recall@4 against plaintext search, over every query.
      expect(score.recall).toBeGreaterThanOrEqual(0.95);
    });
  }

  it('the two users never see the same chunk, whatever they ask', async () => {
    const seen = { alice: new Set<number>(), bob: new Set<number>() };
    for (const row of QUERY_ROWS) {
      const text = chunks.find((c) => c.row === row)!.text;
      for (const d of await store.asUser(keys.alice).similaritySearch(text, 8)) seen.alice.add(d.metadata.row);
      for (const d of await store.asUser(keys.bob).similaritySearch(text, 8)) seen.bob.add(d.metadata.row);
    }
    expect([...seen.alice].filter((r) => seen.bob.has(r))).toEqual([]);
    expect(seen.alice.size).toBeGreaterThan(10);
    expect(seen.bob.size).toBeGreaterThan(10);
  });

  it('a blind-indexed filter narrows a user to one PDF; another department\'s PDF is empty for them', async () => {
    const evalsOnly = await store.asUser(keys.alice).similaritySearch(chunks[0]!.text, K, { source: 'evals' });
    expect(evalsOnly.map((d) => d.metadata.source)).toEqual(['evals', 'evals', 'evals', 'evals']);
    expect(await store.asUser(keys.alice).similaritySearch(chunks[0]!.text, K, { source: 'models' })).toEqual([]);
  });
});

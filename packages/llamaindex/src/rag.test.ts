/**
 * End to end through LlamaIndex.TS's own index: VectorStoreIndex over the sealed store, the OpenAI
 * fixture's 84 chunks inserted as nodes (one source document per PDF), two users retrieving with
 * `asRetriever({ customParams: { userKey } })`. alice (research) may read the RAG and evals PDFs,
 * bob (product) the models and fine-tuning PDFs; each must get only chunks their key opens,
 * ranked as exact plaintext search over those chunks would rank them.
 */
import { MetadataMode, NodeRelationship, TextNode } from '@llamaindex/core/schema';
import { VectorKeyset, type UserKey } from '@sealvec/core';
import { BACKENDS, openaiChunks, policyOf, scenarioKeys, scoreRetrieval, type ChunkSource, type OpenedBackend } from '@sealvec/testkit';
import { Settings, VectorStoreIndex } from 'llamaindex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SealedVectorStore } from './index.js';
import { FixtureEmbedding } from './__tests__/embedding.js';

const chunks = openaiChunks();
const K = 4;

function nodes(): TextNode[] {
  return chunks.map(
    (c) =>
      new TextNode({
        id_: `chunk-${c.row}`,
        text: c.text,
        metadata: { source: c.source, row: c.row },
        // Embed the text alone (LlamaIndex prepends metadata otherwise), so the fixture knows it.
        excludedEmbedMetadataKeys: ['source', 'row'],
        relationships: { [NodeRelationship.SOURCE]: { nodeId: `pdf-${c.source}`, metadata: {} } },
      }),
  );
}

describe.each(BACKENDS)('RAG retrieval through VectorStoreIndex for two users on $name', (target) => {
  let opened: OpenedBackend;
  let store: SealedVectorStore;
  let index: VectorStoreIndex;
  const keys = scenarioKeys(['source']);

  beforeAll(async () => {
    // VectorStoreIndex embeds nodes and queries with the global model, as LlamaIndex apps set it.
    Settings.embedModel = new FixtureEmbedding();
    opened = await target.open();
    store = new SealedVectorStore({
      embedModel: new FixtureEmbedding(),
      backend: opened.backend,
      collectionName: 'cookbook',
      keyset: VectorKeyset.create(),
      writer: keys.writer,
      blindIndexFields: ['source'],
      policy: (node) => policyOf(node.metadata['source'] as ChunkSource),
    });
    index = await VectorStoreIndex.fromVectorStore(store);
    await index.insertNodes(nodes());
  });
  afterAll(async () => {
    await opened.close();
  });

  const users: [string, 'research' | 'product', () => UserKey][] = [
    ['alice', 'research', () => keys.alice],
    ['bob', 'product', () => keys.bob],
  ];

  it('stores every chunk', async () => {
    expect(await store.client()!.count()).toBe(chunks.length);
  });

  for (const [name, department, key] of users) {
    it(`${name} retrieves only ${department}'s chunks, ranked like exact plaintext search over them`, async () => {
      const retriever = index.asRetriever({ similarityTopK: K, customParams: { userKey: key() } });
      const selfScores: number[] = [];
      const score = await scoreRetrieval(department, K, async (text) => {
        const got = await retriever.retrieve(text);
        if (got[0]?.node.getContent(MetadataMode.NONE) === text.trim()) selfScores.push(got[0].score!);
        return got.map((n) => n.node.metadata['row'] as number);
      });
      expect(score).toMatchObject({ foreign: [], wrongCount: [], selfNotFirst: [] });
      expect(score.recall).toBeGreaterThanOrEqual(0.95);
      // Exact scores: a chunk found by its own text scores cosine 1.
      for (const s of selfScores) expect(s).toBeCloseTo(1, 5);
      expect(selfScores.length).toBeGreaterThan(0);
    });
  }

  it('a retriever with no user is refused, not answered', async () => {
    await expect(index.asRetriever({ similarityTopK: K }).retrieve(chunks[0]!.text)).rejects.toThrow(/customParams: \{ userKey \}/);
  });

  it('deleteRefDoc removes one PDF\'s chunks for everyone', async () => {
    await index.deleteRefDoc('pdf-evals', false);
    expect(await store.client()!.count()).toBe(chunks.length - chunks.filter((c) => c.source === 'evals').length);
    const got = await index.asRetriever({ similarityTopK: 10, customParams: { userKey: keys.alice } }).retrieve(chunks.find((c) => c.source === 'evals')!.text);
    expect(got.map((n) => n.node.metadata['source'])).not.toContain('evals');
  });
});

// The README's LlamaIndex.TS example, runnable after `pnpm build`: node examples/llamaindex.mjs
// The same two users and chunks as examples/langchain.mjs, through LlamaIndex's VectorStoreIndex.
import { BaseEmbedding } from '@llamaindex/core/embeddings';
import { createWriterKey, generateAuthority, issueUserKey, VectorKeyset } from '@sealvec/core';
import { SealedVectorStore } from '@sealvec/llamaindex';
import { LocalBackend } from '@sealvec/qdrant';
import { lookupEmbedding, openaiChunks } from '@sealvec/testkit';
import { Settings, TextNode, VectorStoreIndex } from 'llamaindex';

// Stands in for `new OpenAIEmbedding({ model: 'text-embedding-3-small' })`: the same model's
// vectors of these chunks, precomputed (fixtures/datasets/openai1536), looked up by text.
class FixtureEmbedding extends BaseEmbedding {
  async getTextEmbedding(text) {
    return lookupEmbedding(text);
  }
}
Settings.embedModel = new FixtureEmbedding();
const chunks = openaiChunks(); // { text, source: 'rag' | 'evals' | 'models' | 'fine-tuning' }

const authority = generateAuthority();
const writer = createWriterKey(authority);
const alice = issueUserKey(authority, { department: ['research'] });
const bob = issueUserKey(authority, { department: ['product'] });

// Created on the first insert; each node sealed under a policy taken from its metadata.
const backend = new LocalBackend(); // or new QdrantBackend({ url: 'http://localhost:6333' })
const store = new SealedVectorStore({
  backend,
  collectionName: 'cookbook',
  keyset: VectorKeyset.create(),
  writer,
  policy: (node) => ({ department: [['rag', 'evals'].includes(node.metadata.source) ? 'research' : 'product'] }),
});
const index = await VectorStoreIndex.fromVectorStore(store);
await index.insertNodes(
  chunks.map((c) => new TextNode({ text: c.text, metadata: { source: c.source }, excludedEmbedMetadataKeys: ['source'] })),
);

// Per request: the caller's key travels in customParams (asRetriever, asQueryEngine, asChatEngine).
const question = chunks[14].text; // a chunk's own text: the fixture holds no separate questions
for (const [name, userKey] of [['alice', alice], ['bob', bob]]) {
  const nodes = await index.asRetriever({ similarityTopK: 3, customParams: { userKey } }).retrieve(question);
  console.log(name, nodes.map((n) => `${n.node.metadata.source}: ${n.node.getContent().split('\n')[1]}`));
}
await backend.close();

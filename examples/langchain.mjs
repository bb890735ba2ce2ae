// The README's LangChain.js example, runnable after `pnpm build`: node examples/langchain.mjs
// Retrieval for two users over 84 real chunks of four OpenAI cookbook PDFs, from one store.
import { Embeddings } from '@langchain/core/embeddings';
import { createWriterKey, generateAuthority, issueUserKey, VectorKeyset } from '@sealvec/core';
import { SealedVectorStore } from '@sealvec/langchain';
import { LocalBackend } from '@sealvec/qdrant';
import { lookupEmbedding, openaiChunks } from '@sealvec/testkit';

// Stands in for `new OpenAIEmbeddings({ model: 'text-embedding-3-small' })`: the same model's
// vectors of these chunks, precomputed (fixtures/datasets/openai1536), looked up by text.
class FixtureEmbeddings extends Embeddings {
  constructor() {
    super({});
  }
  async embedDocuments(texts) {
    return texts.map(lookupEmbedding);
  }
  async embedQuery(text) {
    return lookupEmbedding(text);
  }
}
const chunks = openaiChunks(); // { text, source: 'rag' | 'evals' | 'models' | 'fine-tuning' }

const authority = generateAuthority();
const writer = createWriterKey(authority);
const alice = issueUserKey(authority, { department: ['research'] }, { blindIndexFields: ['source'] });
const bob = issueUserKey(authority, { department: ['product'] }, { blindIndexFields: ['source'] });

// One store for the whole server. Each chunk is sealed under a policy taken from its metadata.
const backend = new LocalBackend(); // or new QdrantBackend({ url: 'http://localhost:6333' })
const store = await SealedVectorStore.fromDocuments(
  chunks.map((c) => ({ pageContent: c.text, metadata: { source: c.source } })),
  new FixtureEmbeddings(),
  {
    backend,
    collectionName: 'cookbook',
    keyset: VectorKeyset.create(),
    writer,
    blindIndexFields: ['source'], // metadata the database may filter on (by equality, blindly)
    policy: (doc) => ({ department: [['rag', 'evals'].includes(doc.metadata.source) ? 'research' : 'product'] }),
  },
);

// Per request: bind the caller's key, then use LangChain as usual.
const question = chunks[14].text; // a chunk's own text: the fixture holds no separate questions
for (const [name, userKey] of [['alice', alice], ['bob', bob]]) {
  const docs = await store.asUser(userKey).asRetriever({ k: 3 }).invoke(question);
  console.log(name, docs.map((d) => `${d.metadata.source}: ${d.pageContent.split('\n')[1]}`));
}
const evals = await store.asUser(alice).similaritySearch(question, 2, { source: 'evals' });
console.log('alice, evals only', evals.map((d) => `${d.metadata.source}: ${d.pageContent.split('\n')[1]}`));
await backend.close();

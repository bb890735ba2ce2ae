// Type-checked as an ES module under moduleResolution node16 and bundler (see ../tsconfig.*.json).
import { Embeddings } from '@langchain/core/embeddings';
import { BaseEmbedding } from '@llamaindex/core/embeddings';
import { TextNode } from '@llamaindex/core/schema';
import { run, VERSION } from '@sealvec/cli';
import { createWriterKey, generateAuthority, issueUserKey, SealvecError, VectorKeyset, type UserKey } from '@sealvec/core';
import { SealedVectorStore, type SealedFilter } from '@sealvec/langchain';
import { SealedVectorStore as LlamaStore, type SealedQueryParams } from '@sealvec/llamaindex';
import { LocalBackend, QdrantBackend, SealedCollection, type Backend, type SearchHit } from '@sealvec/qdrant';
import { QdrantBackend as WebQdrantBackend, SealedCollection as WebCollection } from '@sealvec/qdrant/web';

const authority = generateAuthority();
const writer = createWriterKey(authority);
const alice: UserKey = issueUserKey(authority, { department: ['research'] });
const backend: Backend = new LocalBackend();
const remote: Backend = new QdrantBackend({ url: 'http://localhost:6333' });
const web: Backend = new WebQdrantBackend({ url: 'http://localhost:6333' });
const collection: SealedCollection = await SealedCollection.create(backend, { name: 'c', dimension: 4, metric: 'cosine', keyset: VectorKeyset.create(), writer });
const sameClass: typeof SealedCollection = WebCollection;
const hits: SearchHit[] = (await collection.search([1, 0, 0, 0], { userKey: alice, k: 1 })).hits;

class Fixed extends Embeddings {
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map(() => [1, 0, 0, 0]);
  }
  async embedQuery(): Promise<number[]> {
    return [1, 0, 0, 0];
  }
}
interface Meta {
  team: string;
}
const store = await SealedVectorStore.fromTexts<Meta>(['a'], { team: 'hr' }, new Fixed({}), { backend, collectionName: 'lc', keyset: VectorKeyset.create(), writer, policy: '*' });
const filter: SealedFilter = { team: 'hr' };
const docs = await store.asUser(alice).similaritySearch('a', 1, filter);
const team: string = docs[0]!.metadata.team;

class FixedEmbedding extends BaseEmbedding {
  constructor() {
    super();
  }
  async getTextEmbedding(): Promise<number[]> {
    return [1, 0, 0, 0];
  }
}
const li = new LlamaStore({ embedModel: new FixedEmbedding(), backend, collectionName: 'li', keyset: VectorKeyset.create(), writer, policy: '*' });
await li.add([new TextNode({ text: 'a', embedding: [1, 0, 0, 0] })]);
const params: SealedQueryParams = { userKey: alice };
const result = await li.query({ queryEmbedding: [1, 0, 0, 0], similarityTopK: 1, mode: 'default' as never, customParams: params });

const isError = (e: unknown): e is SealvecError => e instanceof SealvecError;
export { hits, team, result, isError, run, VERSION, remote, web, sameClass };

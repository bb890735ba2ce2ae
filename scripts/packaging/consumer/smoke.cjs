// Real work with every package, given the loaded modules: run from esm.mjs (import) and from
// cjs.cjs (require), so both loaders are proven to give working packages, not just objects.
'use strict';
const assert = require('node:assert/strict');

// A four-word "embedding model": enough to tell documents apart, no network.
const WORDS = { 'salary review': [0.9, 0.1, 0, 0.2], 'search design': [0.1, 0.9, 0.3, 0], 'hiring plan': [0.7, 0.3, 0.1, 0.1] };
const vec = (t) => {
  const v = WORDS[t];
  if (v === undefined) throw new Error(`unknown text ${t}`);
  return [...v];
};

module.exports = async function smoke({ core, qdrant, langchain, llamaindex, cli, lcEmbeddings, liEmbeddings, liSchema }) {
  const authority = core.generateAuthority();
  const writer = core.createWriterKey(authority);
  const alice = core.issueUserKey(authority, { department: ['research'] });
  const bob = core.issueUserKey(authority, { department: ['product'] });
  const backend = new qdrant.LocalBackend();

  // @sealvec/core + @sealvec/qdrant: seal, store, search as each user.
  const col = await qdrant.SealedCollection.create(backend, { name: 'plain', dimension: 4, metric: 'cosine', keyset: core.VectorKeyset.create(), writer });
  const report = await col.upsert([{ id: 'a', vector: vec('salary review'), payload: { t: 1 }, policy: 'department=research' }], { writer });
  assert.deepEqual(report.failed, []);
  assert.equal((await col.search(vec('salary review'), { userKey: alice, k: 1 })).hits[0].id, 'a');
  assert.equal((await col.search(vec('salary review'), { userKey: bob, k: 1 })).hits.length, 0);

  // @sealvec/langchain: fromTexts, then a retriever per user.
  class Embeddings extends lcEmbeddings.Embeddings {
    constructor() {
      super({});
    }
    async embedDocuments(texts) {
      return texts.map(vec);
    }
    async embedQuery(text) {
      return vec(text);
    }
  }
  const store = await langchain.SealedVectorStore.fromTexts(['salary review', 'search design'], [{ team: 'hr' }, { team: 'eng' }], new Embeddings(), {
    backend,
    collectionName: 'lc',
    keyset: core.VectorKeyset.create(),
    writer,
    policy: (d) => (d.metadata.team === 'hr' ? 'department=research' : 'department=product'),
  });
  const got = await store.asUser(alice).asRetriever({ k: 2 }).invoke('salary review');
  assert.deepEqual(got.map((d) => [d.pageContent, d.metadata.team]), [['salary review', 'hr']]);

  // @sealvec/llamaindex: add nodes, query with the user in customParams.
  class Embedding extends liEmbeddings.BaseEmbedding {
    async getTextEmbedding(text) {
      return vec(text);
    }
  }
  const li = new llamaindex.SealedVectorStore({ embedModel: new Embedding(), backend, collectionName: 'li', keyset: core.VectorKeyset.create(), writer, policy: 'department=research' });
  await li.add([new liSchema.TextNode({ text: 'hiring plan', embedding: vec('hiring plan') })]);
  const q = (userKey) => li.query({ queryEmbedding: vec('hiring plan'), similarityTopK: 1, mode: 'default', customParams: { userKey } });
  assert.equal((await q(alice)).nodes[0].getContent(), 'hiring plan');
  assert.deepEqual((await q(bob)).ids, []);

  // @sealvec/cli: the programmatic entry points.
  assert.equal(typeof cli.run, 'function');
  assert.match(cli.VERSION, /^\d+\.\d+\.\d+/);
  await backend.close();
};

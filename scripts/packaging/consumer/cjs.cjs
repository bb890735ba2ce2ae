'use strict';
// require() of the ESM-only packages: Node >= 20.19 loads them synchronously (require(esm)).
const smoke = require('./smoke.cjs');

smoke({
  core: require('@sealvec/core'),
  qdrant: require('@sealvec/qdrant'),
  langchain: require('@sealvec/langchain'),
  llamaindex: require('@sealvec/llamaindex'),
  cli: require('@sealvec/cli'),
  lcEmbeddings: require('@langchain/core/embeddings'),
  liEmbeddings: require('@llamaindex/core/embeddings'),
  liSchema: require('@llamaindex/core/schema'),
}).then(
  () => console.log('cjs ok'),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);

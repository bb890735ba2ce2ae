import * as core from '@sealvec/core';
import * as qdrant from '@sealvec/qdrant';
import * as langchain from '@sealvec/langchain';
import * as llamaindex from '@sealvec/llamaindex';
import * as cli from '@sealvec/cli';
import * as lcEmbeddings from '@langchain/core/embeddings';
import * as liEmbeddings from '@llamaindex/core/embeddings';
import * as liSchema from '@llamaindex/core/schema';
import smoke from './smoke.cjs';

await smoke({ core, qdrant, langchain, llamaindex, cli, lcEmbeddings, liEmbeddings, liSchema });
console.log('esm ok');

export { openaiChunks, lookupEmbedding, type Chunk, type ChunkSource } from './openai-fixture.js';
export { lookupWord } from './glove-fixture.js';
export { cosine, exactTopK } from './reference.js';
export { DEPARTMENT, policyOf, readableBy, scenarioKeys, type ScenarioKeys } from './scenario.js';
export { BACKENDS, type BackendTarget, type OpenedBackend } from './backends.js';
export { QUERY_ROWS, scoreRetrieval, type RetrievalScore } from './retrieval.js';
export { printedSources, runExample } from './examples.js';

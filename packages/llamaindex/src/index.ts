export { SealedVectorStore, type SealedQueryParams, type SealedVectorStoreOptions } from './store.js';
export { REF_DOC_FIELD } from './filters.js';
export type { PolicyChoice } from './policies.js';
export type { PolicyInput } from '@sealvec/qdrant/integration';

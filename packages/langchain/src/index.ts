export { SealedVectorStore, type SealedAddOptions, type SealedCollectionConfig, type SealedFilter, type SealedVectorStoreArgs } from './store.js';
export type { AnyMetadata, Metadata } from './payload.js';
export type { PolicyChoice } from './policies.js';
export type { PolicyInput } from '@sealvec/qdrant/integration';

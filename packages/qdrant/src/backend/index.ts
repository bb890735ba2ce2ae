/** Storage backends for SealedCollection. The Qdrant stand-in is test support and stays out. */
export type * from './types.js';
export { LocalBackend, type LocalBackendOptions } from './local.js';
export { QdrantBackend, type QdrantBackendOptions } from './qdrant.js';
export type { QdrantClientLike } from './qdrant-api.js';
export type { QdrantCollectionConfig, ReadConsistency, ShardingConfig, WriteOrdering } from './qdrant-config.js';
export { payloadPath } from './filter.js';
export type { RetryInfo, RetryOptions } from './retry.js';

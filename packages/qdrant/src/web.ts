/**
 * @sealvec/qdrant for browsers and edge runtimes (`@sealvec/qdrant/web`, and what bundlers pick for
 * `@sealvec/qdrant` under the browser, worker, workerd and edge-light conditions): SealedCollection
 * and QdrantBackend, which talks to Qdrant over fetch. The embedded store (LocalBackend) needs a
 * file system and stays Node-only: it is not here.
 */
export * from './collection/index.js';
export type * from './backend/types.js';
export { QdrantBackend, type QdrantBackendOptions } from './backend/qdrant.js';
export type { RetryInfo, RetryOptions } from './backend/retry.js';
export type { Logger, LogEvent, LogLevel } from './log.js';

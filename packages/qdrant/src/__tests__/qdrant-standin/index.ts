/** Test support: an in-process stand-in for Qdrant's REST API (see ./server.ts and ./README.md). */
export { QdrantStandin, STRICT_UNINDEXED, type Fault, type FaultMatch, type RequestRecord, type StandinOptions } from './server.js';
export type { StrictModeConfig } from './strict-mode.js';

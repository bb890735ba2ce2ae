export * from './sealed-collection.js';
export { pointIdOf } from './point-id.js';
export type { Scheme as SchemeMetadata } from '@sealvec/core';
export { countRecords, sampleRecords, type CensusQuery, type CensusSample } from './census.js';
export { diagnose, type AccessDiagnosis, type AccessFacts, type AccessReason } from './diagnose.js';

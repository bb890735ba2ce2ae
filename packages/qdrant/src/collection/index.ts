export * from './sealed-collection.js';
export { pointIdOf } from './point-id.js';
export type { Scheme as SchemeMetadata } from '@sealvec/core';

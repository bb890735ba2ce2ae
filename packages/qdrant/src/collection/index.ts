export * from './sealed-collection.js';
export { pointIdOf } from './point-id.js';
export type { SchemeMetadata } from './metadata.js';

export * from './schema.js';
export { normalizeValue, compareValues } from './values.js';
export * from './policy.js';
export * from './tuples.js';
export * from './evaluate.js';
export * from './parse.js';

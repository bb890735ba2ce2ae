export * from './errors.js';
export { toBase64url, fromBase64url, equalBytes, randomBytes } from './utils.js';
export * from './keys/index.js';
export * from './vector/index.js';

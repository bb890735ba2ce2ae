export * from './vector-key.js';

export * from './backend/index.js';
export * from './collection/index.js';

export * from './backend/index.js';
export * from './collection/index.js';
export type { Logger, LogEvent, LogLevel } from './log.js';

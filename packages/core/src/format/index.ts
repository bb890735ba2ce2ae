export * from './constants.js';
export * from './record.js';
export { checkJsonValue, MAX_JSON_DEPTH, type JsonValue } from './json.js';

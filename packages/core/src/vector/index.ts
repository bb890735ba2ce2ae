export * from './cipher.js';
export { METRICS, isMetric, storedDimensionOf, type Metric } from './metric.js';
export { MIX_ROUNDS } from './mix.js';
export * from './presets.js';

export { policyPrefilterTokens, userPrefilterTokens, PREFILTER_TOKEN_LENGTH } from './prefilter.js';
export * from './blind-index.js';

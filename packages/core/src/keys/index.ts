export * from './vector-key.js';
export * from './provider.js';
export * from './passphrase.js';
export {
  FILE_KEY_LENGTH,
  isProtectedText,
  MAX_PROTECTED_PLAINTEXT,
  PROTECTED_TYPE,
  PROTECTED_VERSION,
} from './protected-format.js';

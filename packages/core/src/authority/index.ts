export { Authority, WriterKey, UserKey } from './keys.js';
export * from './authority.js';
export * from './serialize.js';
export * from './info.js';
export { AuthorityPublicKey, exportAuthorityPublicKey, importAuthorityPublicKey, AUTHORITY_PUBLIC_KEY_TYPE } from './signing.js';

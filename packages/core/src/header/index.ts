export type { RecordBinding } from './binding.js';
export { decodeHeader, encodeHeader, peekHeaderEpoch, type HeaderFields, type DecodedHeader } from './format.js';
export {
  wrapDataKey,
  unwrapDataKey,
  openEscrow,
  rewrapHeader,
  bucketOf,
  type RandomSource,
  type WrapOptions,
  type UnwrapOptions,
  type EscrowContents,
} from './wrap.js';

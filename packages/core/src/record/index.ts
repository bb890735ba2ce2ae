export type { SealedRecord, SealInput, OpenedRecord, CandidateRecord } from './types.js';
export { createSealer, type Sealer, type SealerOptions } from './seal.js';
export { createOpener, type Opener, type OpenerOptions, type OpenOptions } from './open.js';
export { createRewrapper, rewrapRecord, type Rewrapper, type RewrapOptions } from './rewrap.js';

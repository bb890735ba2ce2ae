/**
 * What the benchmarks encrypt with: the real Sealvec cipher and the two baselines of the issue,
 * behind one small interface. All work on the cipher's view of the data (unit vectors for
 * cosine), so that recall and attacks compare like with like.
 */
import type { VectorSet } from '../datasets/vectors.js';
import type { Mat } from '../linalg/matrix.js';

/** 'sealvec-v1': the format v1 cipher (its structured mix), kept to show what v2 closed. */
export type SchemeName = 'sealvec' | 'sealvec-v1' | 'shuffle' | 'mix-no-noise' | 'rotation';

export interface Scheme {
  readonly name: SchemeName;
  /** Stored dimension of the ciphertexts (d, or d + 1 for dot). */
  readonly storedDimension: number;
  /** Encrypts records: fresh noise for every call and row, as for separate records. */
  encryptRecords(x: VectorSet): VectorSet;
  /** Encrypts queries (deterministic per query where the scheme is). */
  encryptQueries(q: VectorSet): VectorSet;
  /**
   * What a holder of the query-side key (the searcher) can compute from a ciphertext without
   * the record's data key: the exact inverse of the mix and scale, noise left in. Null when
   * the scheme cannot express it.
   */
  keyHolderInverse(): ((c: Mat) => Mat) | null;
}

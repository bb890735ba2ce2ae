/**
 * The similarity-preserving vector cipher (scale-and-perturb, Fuchsbauer et al., SCN 2022, with a
 * keyed orthogonal mix in front):
 *
 *     c = s * R(x) + lambda,   lambda uniform in the d-ball of radius s * beta / 4
 *
 * Who can do what (the split this API makes visible):
 * - A `VectorCipher` holds only the query-side material of one (key, tenant): the mix R, the
 *   scale s and the query-noise key. With it one can encrypt queries and encrypt records, and
 *   compute R^T(c)/s, which is x plus noise of norm <= beta/4: the approximate leakage that
 *   makes search work.
 * - The per-record noise seed and tag key derive from the record's 32-byte data key, which only
 *   policy-satisfying users can unwrap. Exact decryption (and tag verification) needs it:
 *   `decrypt(ct, { dataKey, ... })`. The query-side material alone never recovers x exactly.
 *
 * Ciphertexts are rounded to float32 (what the database stores) before the tag is computed, and
 * the 16-byte tag (ChaCha20-Poly1305 with an empty plaintext, single-use key from the data key
 * and nonce) binds format version, key id, tenant, metric, collection, record id, nonce and every
 * float32 coordinate. Query noise is a keyed function of the query itself, so
 * repeating a query yields the identical ciphertext: repeats cannot be averaged away.
 */
import { primitives } from '#primitives';
import { DecryptionFailed, DimensionMismatch, EmptyInput } from '../errors.js';
import { deriveKey, expanderFrom, LABELS } from '../kdf.js';
import { tenantVectorSecret, type VectorKey } from '../keys/vector-key.js';
import { abytes, afinite, aint, astring, concatBytes, equalBytes, lengthPrefixed, randomBytes } from '../utils.js';
import { isMetric, prepareVector, storedDimensionOf, type Metric } from './metric.js';
import { applyMix, createMix, invertMix, type Mix } from './mix.js';
import { sampleBall } from './noise.js';
import { LITTLE_ENDIAN, prfWords } from './prf.js';

export const VECTOR_FORMAT_VERSION = 1;
/** Largest supported dimension (Qdrant's own limit is 65,536). */
export const MAX_DIMENSION = 65_536;
export const NONCE_LENGTH = 16;
export const TAG_LENGTH = 16;
export const DATA_KEY_LENGTH = 32;

const ZERO_NONCE_12 = new Uint8Array(12);
/** Nonce bytes drawn per CSPRNG call in batches (getRandomValues allows at most 65,536). */
const NONCE_POOL_BYTES = 4096 * NONCE_LENGTH;
const EMPTY = new Uint8Array(0);

export interface VectorCipherParams {
  /** Dimension of the plaintext vectors (1 ..= 65536). */
  dimension: number;
  metric: Metric;
  /** The security/recall dial, in the units of the (normalized) vectors. 0 means no noise: insecure, for baselines only. */
  beta: number;
  /** Tenant scope; vectors of different tenants live in unrelated spaces. Default ''. */
  tenant?: string;
  /** Dot metric only: the largest record norm M (records are augmented to norm M). */
  maxNorm?: number;
}

export interface VectorBinding {
  /** The caller's record id (bound into the tag). */
  recordId: string;
  /** The record's 32-byte data key (from the policy header). */
  dataKey: Uint8Array;
  /** 16 bytes; random when omitted. Pin it only in tests and known-answer vectors. */
  nonce?: Uint8Array;
  /** Collection name (bound into the tag). Default ''. */
  collection?: string;
}

export interface VectorCiphertext {
  /** Id of the vector key that made it. */
  kid: string;
  nonce: Uint8Array;
  /** float32, storedDimension long. */
  vector: Float32Array;
  tag: Uint8Array;
}

export interface VectorCipher {
  readonly kid: string;
  readonly tenant: string;
  readonly dimension: number;
  /** dimension, or dimension + 1 for dot. */
  readonly storedDimension: number;
  readonly metric: Metric;
  readonly beta: number;
  readonly maxNorm: number;
  /** The scale s (public to anyone holding the query-side material). */
  readonly scale: number;
  /** The distance to configure in the database for the ciphertexts: always Euclid. */
  readonly qdrantDistance: 'Euclid';
  encryptQuery(q: ArrayLike<number>): Float32Array;
  /** Encrypts n queries stored row-major in `matrix` (n * dimension); returns n * storedDimension. */
  encryptQueries(matrix: Float32Array, n: number): Float32Array;
  encrypt(x: ArrayLike<number>, binding: VectorBinding): VectorCiphertext;
  /** Encrypts n rows of `matrix`; the returned vectors are views into one contiguous buffer. */
  encryptBatch(matrix: Float32Array, n: number, bindings: readonly VectorBinding[]): VectorCiphertext[];
  /** Verifies the tag and inverts exactly (up to float32 rounding). Unit vector for cosine. */
  decrypt(ct: VectorCiphertext, binding: Omit<VectorBinding, 'nonce'>): Float32Array;
}

export function createVectorCipher(key: VectorKey, params: VectorCipherParams): VectorCipher {
  if (typeof key !== 'object' || key === null || typeof key.kid !== 'string') {
    throw new TypeError('"key" expected a VectorKey');
  }
  abytes(key.secret, 'key.secret', 32);
  if (typeof params !== 'object' || params === null) throw new TypeError('"params" expected object');
  const dimension = aint(params.dimension, 'dimension', 1, MAX_DIMENSION);
  if (!isMetric(params.metric)) throw new TypeError(`"metric" expected 'cosine' | 'euclid' | 'dot', got ${String(params.metric)}`);
  const beta = afinite(params.beta, 'beta', 0);
  const tenant = astring(params.tenant ?? '', 'tenant');
  let maxNorm = 1;
  if (params.metric === 'dot') {
    if (params.maxNorm === undefined) throw new TypeError('"maxNorm" is required for the dot metric');
    maxNorm = afinite(params.maxNorm, 'maxNorm', 0, Infinity, true);
  } else if (params.maxNorm !== undefined) {
    afinite(params.maxNorm, 'maxNorm', 0, Infinity, true);
  }
  return new Cipher(key, dimension, params.metric, beta, tenant, maxNorm);
}

class Cipher implements VectorCipher {
  readonly kid: string;
  readonly tenant: string;
  readonly dimension: number;
  readonly storedDimension: number;
  readonly metric: Metric;
  readonly beta: number;
  readonly maxNorm: number;
  readonly scale: number;
  readonly qdrantDistance = 'Euclid' as const;
  readonly #mix: Mix;
  readonly #queryNoiseKey: Uint8Array;
  readonly #radius: number;
  // Scratch buffers, reused across calls (the cipher is not re-entrant; JS is single-threaded).
  readonly #a: Float64Array;
  readonly #b: Float64Array;
  readonly #t: Float64Array;

  constructor(key: VectorKey, dimension: number, metric: Metric, beta: number, tenant: string, maxNorm: number) {
    this.kid = key.kid;
    this.tenant = tenant;
    this.dimension = dimension;
    this.metric = metric;
    this.beta = beta;
    this.maxNorm = maxNorm;
    const D = storedDimensionOf(metric, dimension);
    this.storedDimension = D;
    const tenantSecret = tenantVectorSecret(key, tenant);
    // The mix and the scale depend on the dimension and metric as well, so one key never reuses
    // the same transform for two different vector shapes.
    const shape = [String(D), metric];
    this.#mix = createMix(deriveKey(tenantSecret, LABELS.vectorMix, shape), D);
    const scaleWord = prfWords(deriveKey(tenantSecret, LABELS.vectorScale, shape), 1)[0]!;
    this.scale = 1 + scaleWord / 0x1_0000_0000; // s in [1, 2)
    this.#queryNoiseKey = deriveKey(tenantSecret, LABELS.queryNoise, shape);
    tenantSecret.fill(0);
    this.#radius = (this.scale * beta) / 4;
    this.#a = new Float64Array(D);
    this.#b = new Float64Array(D);
    this.#t = new Float64Array(D);
    Object.defineProperty(this, 'toJSON', { value: () => ({ kid: this.kid, tenant, dimension, metric, beta }) });
  }

  encryptQuery(q: ArrayLike<number>): Float32Array {
    const out = new Float32Array(this.storedDimension);
    this.#encryptQueryInto(q, out, 'query');
    return out;
  }

  encryptQueries(matrix: Float32Array, n: number): Float32Array {
    this.#checkMatrix(matrix, n);
    const d = this.dimension;
    const D = this.storedDimension;
    const out = new Float32Array(n * D);
    for (let i = 0; i < n; i++) {
      this.#encryptQueryInto(matrix.subarray(i * d, (i + 1) * d), out.subarray(i * D, (i + 1) * D), `query ${i}`);
    }
    return out;
  }

  #encryptQueryInto(q: ArrayLike<number>, out: Float32Array, what: string): void {
    const x = this.#a;
    prepareVector(q, this.dimension, this.metric, this.maxNorm, 'query', x, what);
    // The noise seed is a keyed function of the (float32) prepared query: same query, same noise.
    const prepared = Float32Array.from(x);
    const seed = primitives.hmacSha256(this.#queryNoiseKey, float32Bytes(prepared));
    this.#transform(x, seed, out);
  }

  encrypt(x: ArrayLike<number>, binding: VectorBinding): VectorCiphertext {
    const out = new Float32Array(this.storedDimension);
    return this.#encryptInto(x, binding, out, 'vector', undefined);
  }

  encryptBatch(matrix: Float32Array, n: number, bindings: readonly VectorBinding[]): VectorCiphertext[] {
    this.#checkMatrix(matrix, n);
    if (!Array.isArray(bindings) || bindings.length !== n) {
      throw new RangeError(`"bindings" expected array of length ${n}, got ${Array.isArray(bindings) ? bindings.length : typeof bindings}`);
    }
    const d = this.dimension;
    const D = this.storedDimension;
    const buf = new Float32Array(n * D);
    const res: VectorCiphertext[] = new Array(n);
    // Nonces are drawn a chunk at a time (crypto.getRandomValues caps one call at 65,536 bytes)
    // and only for rows whose binding does not pin one.
    let pool: Uint8Array = new Uint8Array(0);
    let used = 0;
    for (let i = 0; i < n; i++) {
      let fresh: Uint8Array | undefined;
      if (bindings[i]?.nonce === undefined) {
        if (used === pool.length) {
          pool = randomBytes(Math.min(NONCE_POOL_BYTES, (n - i) * NONCE_LENGTH));
          used = 0;
        }
        fresh = pool.subarray(used, used + NONCE_LENGTH);
        used += NONCE_LENGTH;
      }
      res[i] = this.#encryptInto(matrix.subarray(i * d, (i + 1) * d), bindings[i]!, buf.subarray(i * D, (i + 1) * D), `row ${i}`, fresh);
    }
    return res;
  }

  #encryptInto(x: ArrayLike<number>, binding: VectorBinding, out: Float32Array, what: string, fresh: Uint8Array | undefined): VectorCiphertext {
    const b = checkBinding(binding);
    const nonce =
      binding.nonce !== undefined
        ? Uint8Array.from(abytes(binding.nonce, 'nonce', NONCE_LENGTH))
        : (fresh ?? randomBytes(NONCE_LENGTH));
    const v = this.#a;
    prepareVector(x, this.dimension, this.metric, this.maxNorm, 'record', v, what);
    const keys = this.#recordKeys(b.dataKey, nonce);
    this.#transform(v, keys.noiseSeed, out);
    const tag = this.#tag(keys.tagKey, b.recordId, b.collection, nonce, out);
    keys.noiseSeed.fill(0);
    keys.tagKey.fill(0);
    return { kid: this.kid, nonce, vector: out, tag };
  }

  decrypt(ct: VectorCiphertext, binding: Omit<VectorBinding, 'nonce'>): Float32Array {
    const b = checkBinding(binding);
    if (typeof ct !== 'object' || ct === null) throw new TypeError('"ct" expected VectorCiphertext');
    abytes(ct.nonce, 'ct.nonce');
    abytes(ct.tag, 'ct.tag');
    if (!(ct.vector instanceof Float32Array)) throw new TypeError('"ct.vector" expected Float32Array');
    if (ct.vector.length !== this.storedDimension) {
      throw new DimensionMismatch(`ciphertext has dimension ${ct.vector.length}, expected ${this.storedDimension}`);
    }
    // Every authenticity failure (other key, wrong binding, any flipped bit) is the same error.
    if (ct.kid !== this.kid || ct.nonce.length !== NONCE_LENGTH || ct.tag.length !== TAG_LENGTH) {
      throw new DecryptionFailed();
    }
    const keys = this.#recordKeys(b.dataKey, ct.nonce);
    const expected = this.#tag(keys.tagKey, b.recordId, b.collection, ct.nonce, ct.vector);
    keys.tagKey.fill(0);
    if (!equalBytes(expected, ct.tag)) {
      keys.noiseSeed.fill(0);
      throw new DecryptionFailed();
    }
    const D = this.storedDimension;
    const lambda = sampleBall(keys.noiseSeed, D, this.#radius, this.#b);
    keys.noiseSeed.fill(0);
    const y = this.#a;
    const invS = 1 / this.scale;
    for (let i = 0; i < D; i++) y[i] = (ct.vector[i]! - lambda[i]!) * invS;
    invertMix(this.#mix, y, y, this.#t);
    const out = new Float32Array(this.dimension);
    for (let i = 0; i < this.dimension; i++) out[i] = y[i]!;
    return out;
  }

  /** out = float32(s * R(x) + lambda(seed)). Uses the #b and #t scratch buffers; x is clobbered. */
  #transform(x: Float64Array, seed: Uint8Array, out: Float32Array): void {
    const D = this.storedDimension;
    applyMix(this.#mix, x, x, this.#t);
    const lambda = sampleBall(seed, D, this.#radius, this.#b);
    const s = this.scale;
    for (let i = 0; i < D; i++) out[i] = s * x[i]! + lambda[i]!;
  }

  /**
   * The record's noise seed and tag key, both from its data key and nonce: two labelled
   * HKDF-Expand calls (the data key is 32 uniformly random bytes, so Extract is not needed). The
   * nonce makes the tag key single-use, as Poly1305 requires.
   */
  #recordKeys(dataKey: Uint8Array, nonce: Uint8Array): { noiseSeed: Uint8Array; tagKey: Uint8Array } {
    const kdf = expanderFrom(dataKey);
    const ctx = [this.kid, this.tenant, nonce];
    const keys = { noiseSeed: kdf.derive(LABELS.recordNoise, ctx), tagKey: kdf.derive(LABELS.recordTag, ctx) };
    kdf.destroy();
    return keys;
  }

  /**
   * The 16-byte tag: ChaCha20-Poly1305 (RFC 8439) with an empty plaintext, under the record's
   * single-use tag key, authenticating the binding and the float32 ciphertext as associated data.
   */
  #tag(tagKey: Uint8Array, recordId: string, collection: string, nonce: Uint8Array, vector: Float32Array): Uint8Array {
    const aad = concatBytes(
      lengthPrefixed(String(VECTOR_FORMAT_VERSION), this.kid, this.tenant, this.metric, collection, recordId, nonce),
      float32Bytes(vector),
    );
    return primitives.chacha20poly1305Seal(tagKey, ZERO_NONCE_12, EMPTY, aad);
  }

  #checkMatrix(matrix: Float32Array, n: number): void {
    if (!(matrix instanceof Float32Array)) throw new TypeError('"matrix" expected Float32Array');
    aint(n, 'n', 0);
    if (n === 0) throw new EmptyInput('empty batch: n = 0');
    if (matrix.length !== n * this.dimension) {
      throw new DimensionMismatch(`matrix has ${matrix.length} values, expected n * dimension = ${n} * ${this.dimension}`);
    }
  }
}

function checkBinding(binding: Omit<VectorBinding, 'nonce'>): { recordId: string; dataKey: Uint8Array; collection: string } {
  if (typeof binding !== 'object' || binding === null) throw new TypeError('"binding" expected object');
  return {
    recordId: astring(binding.recordId, 'recordId'),
    dataKey: abytes(binding.dataKey, 'dataKey', DATA_KEY_LENGTH),
    collection: astring(binding.collection ?? '', 'collection'),
  };
}

/** The little-endian bytes of a float32 array (the tagged representation). */
export function float32Bytes(v: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const out = new Uint8Array(v.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) dv.setFloat32(4 * i, v[i]!, true);
  return out;
}

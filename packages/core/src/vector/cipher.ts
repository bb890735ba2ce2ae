/**
 * The similarity-preserving vector cipher (scale-and-perturb, Fuchsbauer et al., SCN 2022, with a
 * keyed orthogonal mix in front):
 *
 *     c = s * R(x) + o + lambda,   lambda uniform in the d-ball of radius s * beta / 4
 *
 * Who can do what (the split this API makes visible):
 * - A `VectorCipher` holds only the query-side material of one (key, tenant, collection, shape):
 *   the mix R, the scale s, the offset o and the query-noise key. With it one can encrypt queries
 *   and records, and compute R^T(c - o)/s, which is x plus noise of norm <= beta/4: the
 *   approximate leakage that makes search work.
 * - The per-record noise seed and tag key derive from the record's 32-byte data key, which only
 *   policy-satisfying users can unwrap. Exact decryption (and tag verification) needs it:
 *   `decrypt(ct, { dataKey, ... })`. The query-side material alone never recovers x exactly.
 *
 * Ciphertexts are rounded to float32 (what the database stores) before the tag is computed, and
 * the 16-byte tag (ChaCha20-Poly1305 with an empty plaintext, single-use key from the data key
 * and nonce) binds format version, key id, tenant, metric, collection, record id, nonce and every
 * float32 coordinate.
 *
 * Format versions (see docs/cipher.md):
 * - 2 (default): R, s, o and the query-noise key derive from (key, tenant, collection, stored
 *   dimension, metric), so known pairs never transfer between collections; R has no rounding
 *   structure (mix.ts); the keyed offset o hides the origin (euclid norms no longer equal
 *   ciphertext norms / s); query noise is keyed on the query rounded to a grid (queryGrid), so
 *   near-repeats (one text embedded twice, a few ulps apart) get the same noise and cannot be
 *   averaged.
 * - 1 (reading and migrating old collections only): no collection in the derivation, the v1 mix
 *   (mix-v1.ts), no offset, query noise keyed on the exact float32 query.
 */
import { primitives } from '#primitives';
import { DecryptionFailed, DimensionMismatch, EmptyInput } from '../errors.js';
import { deriveKey, expanderFrom, LABELS } from '../kdf.js';
import { tenantVectorSecret, vectorKeySecret, type VectorKey } from '../keys/vector-key.js';
import { lp } from '../format/lp.js';
import { abytes, afinite, aint, astring, concatBytes, equalBytes, lengthPrefixed, randomBytes } from '../utils.js';
import { fillGaussian } from './gaussian.js';
import { isMetric, prepareVector, storedDimensionOf, type Metric } from './metric.js';
import { applyMix as applyMixV2, fastMix, invertMix as invertMixV2 } from './mix-fast.js';
import { createMix as createMixV2 } from './mix.js';
import { wasmMix } from './mix-wasm.js';
import { applyMix as applyMixV1, createMix as createMixV1, invertMix as invertMixV1 } from './mix-v1.js';
import { sampleBall } from './noise.js';
import { LITTLE_ENDIAN, prfWords, wordSource } from './prf.js';

/** The cipher format new ciphertexts use. */
export const VECTOR_FORMAT_VERSION = 2;
export type VectorFormatVersion = 1 | 2;
/** Largest supported dimension (Qdrant's own limit is 65,536). */
export const MAX_DIMENSION = 65_536;
export const NONCE_LENGTH = 16;
export const TAG_LENGTH = 16;
export const DATA_KEY_LENGTH = 32;
/**
 * The query-noise grid (v2): each coordinate of the prepared query is rounded to a multiple of
 * 2^(e - QUERY_GRID_BITS), where e = floor(log2(sqrt(2) |q|)), and the noise seed is a keyed MAC
 * of the rounded coordinates and e. Queries closer than about |q| / 2^11 per coordinate share
 * their noise. (The sqrt(2) keeps unit vectors, the cosine case, far from a change of e: e = 0
 * for 0.707 <= |q| < 1.414.)
 */
export const QUERY_GRID_BITS = 10;

const ZERO_NONCE_12 = new Uint8Array(12);
/** Nonce bytes drawn per CSPRNG call in batches. */
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
  /** Collection scope (v2): vectors of different collections live in unrelated spaces. Default ''. */
  collection?: string;
  /** Dot metric only: the largest record norm M (records are augmented to norm M). */
  maxNorm?: number;
  /** Euclid metric (v2): the data's typical norm, which sets the size of the keyed offset. Default 1. */
  scale?: number;
  /** Cipher format: 2 (default) for everything new; 1 only to read and migrate v1 data. */
  version?: VectorFormatVersion;
}

export interface VectorBinding {
  /** The caller's record id (bound into the tag). */
  recordId: string;
  /** The record's 32-byte data key (from the policy header). */
  dataKey: Uint8Array;
  /** 16 bytes; random when omitted. Pin it only in tests and known-answer vectors. */
  nonce?: Uint8Array;
  /**
   * Collection name (bound into the tag). v2: the cipher's own collection; giving another one is
   * a TypeError. v1: default ''.
   */
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
  readonly version: VectorFormatVersion;
  readonly kid: string;
  readonly tenant: string;
  readonly collection: string;
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
  vectorKeySecret(key); // TypeError unless a VectorKey made by this library
  if (typeof params !== 'object' || params === null) throw new TypeError('"params" expected object');
  const dimension = aint(params.dimension, 'dimension', 1, MAX_DIMENSION);
  if (!isMetric(params.metric)) throw new TypeError(`"metric" expected 'cosine' | 'euclid' | 'dot', got ${String(params.metric)}`);
  const beta = afinite(params.beta, 'beta', 0);
  const tenant = astring(params.tenant ?? '', 'tenant');
  const collection = astring(params.collection ?? '', 'collection');
  const version = params.version ?? VECTOR_FORMAT_VERSION;
  if (version !== 1 && version !== 2) throw new RangeError(`"version" expected 1 or 2, got ${String(version)}`);
  let maxNorm = 1;
  if (params.metric === 'dot') {
    if (params.maxNorm === undefined) throw new TypeError('"maxNorm" is required for the dot metric');
    maxNorm = afinite(params.maxNorm, 'maxNorm', 0, Infinity, true);
  } else if (params.maxNorm !== undefined) {
    afinite(params.maxNorm, 'maxNorm', 0, Infinity, true);
  }
  const dataScale = params.scale === undefined ? 1 : afinite(params.scale, 'scale', 0, Infinity, true);
  const offsetNorm = params.metric === 'cosine' ? 1 : params.metric === 'dot' ? maxNorm : dataScale;
  return new Cipher(key, { dimension, metric: params.metric, beta, tenant, collection, maxNorm, offsetNorm, version });
}

interface Shape {
  dimension: number;
  metric: Metric;
  beta: number;
  tenant: string;
  collection: string;
  maxNorm: number;
  offsetNorm: number;
  version: VectorFormatVersion;
}

/** The transform of one version: y = R x and its inverse, over Float64Arrays of length D. */
interface Transform {
  apply(x: Float64Array, y: Float64Array, tmp: Float64Array): void;
  invert(y: Float64Array, x: Float64Array, tmp: Float64Array): void;
}

const INV_2_32 = 1 / 0x1_0000_0000;

class Cipher implements VectorCipher {
  readonly version: VectorFormatVersion;
  readonly kid: string;
  readonly tenant: string;
  readonly collection: string;
  readonly dimension: number;
  readonly storedDimension: number;
  readonly metric: Metric;
  readonly beta: number;
  readonly maxNorm: number;
  readonly scale: number;
  readonly qdrantDistance = 'Euclid' as const;
  readonly #mix: Transform;
  readonly #queryNoiseKey: Uint8Array;
  /** The keyed offset o (v2), already times s; all zeros in v1. */
  readonly #offset: Float64Array;
  readonly #radius: number;
  // Scratch buffers, reused across calls (the cipher is not re-entrant; JS is single-threaded).
  readonly #a: Float64Array;
  readonly #b: Float64Array;
  readonly #t: Float64Array;

  constructor(key: VectorKey, sh: Shape) {
    this.version = sh.version;
    this.kid = key.kid;
    this.tenant = sh.tenant;
    this.collection = sh.collection;
    this.dimension = sh.dimension;
    this.metric = sh.metric;
    this.beta = sh.beta;
    this.maxNorm = sh.maxNorm;
    const D = storedDimensionOf(sh.metric, sh.dimension);
    this.storedDimension = D;
    const tenantSecret = tenantVectorSecret(key, sh.tenant);
    this.#offset = new Float64Array(D);
    if (sh.version === 1) {
      const shape = [String(D), sh.metric];
      const mix = createMixV1(deriveKey(tenantSecret, LABELS.vectorMix, shape), D);
      this.#mix = { apply: (x, y, t) => applyMixV1(mix, x, y, t), invert: (y, x, t) => invertMixV1(mix, y, x, t) };
      this.scale = 1 + prfWords(deriveKey(tenantSecret, LABELS.vectorScale, shape), 1)[0]! * INV_2_32; // s in [1, 2)
      this.#queryNoiseKey = deriveKey(tenantSecret, LABELS.queryNoise, shape);
    } else {
      // The collection is part of the shape: one key, unrelated spaces per collection.
      const shape = [String(D), sh.metric, sh.collection];
      const mix = fastMix(createMixV2(deriveKey(tenantSecret, LABELS.vectorMixV2, shape), D));
      // WebAssembly SIMD where the runtime has it, else the JavaScript passes: the same bits.
      this.#mix = wasmMix(mix) ?? { apply: (x, y, t) => applyMixV2(mix, x, y, t), invert: (y, x, t) => invertMixV2(mix, y, x, t) };
      this.scale = 1 + prfWords(deriveKey(tenantSecret, LABELS.vectorScaleV2, shape), 1)[0]! * INV_2_32;
      this.#queryNoiseKey = deriveKey(tenantSecret, LABELS.queryNoiseV2, shape);
      // o: a keyed direction (normalized Gaussian) of length s * offsetNorm.
      const seed = deriveKey(tenantSecret, LABELS.vectorOffsetV2, shape);
      fillGaussian(wordSource(seed, D + (D >>> 4) + 32), this.#offset, D);
      seed.fill(0);
      let sq = 0;
      for (let i = 0; i < D; i++) sq += this.#offset[i]! * this.#offset[i]!;
      const f = sq > 0 ? (this.scale * sh.offsetNorm) / Math.sqrt(sq) : 0;
      for (let i = 0; i < D; i++) this.#offset[i]! *= f;
    }
    tenantSecret.fill(0);
    this.#radius = (this.scale * sh.beta) / 4;
    this.#a = new Float64Array(D);
    this.#b = new Float64Array(D);
    this.#t = new Float64Array(D);
    const info = { version: sh.version, kid: this.kid, tenant: sh.tenant, collection: sh.collection, dimension: sh.dimension, metric: sh.metric, beta: sh.beta };
    Object.defineProperty(this, 'toJSON', { value: () => info });
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
    // The noise seed is a keyed function of the prepared query (v1: its exact float32 bits; v2:
    // the query rounded to the grid): the same query always gets the same noise.
    const seed =
      this.version === 1
        ? primitives.hmacSha256(this.#queryNoiseKey, float32Bytes(Float32Array.from(x)))
        : primitives.hmacSha256(this.#queryNoiseKey, queryGrid(x, this.storedDimension));
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
    // Nonces are drawn a chunk at a time and only for rows whose binding does not pin one.
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
    const b = this.#checkBinding(binding);
    const nonce =
      binding.nonce !== undefined ? Uint8Array.from(abytes(binding.nonce, 'nonce', NONCE_LENGTH)) : (fresh ?? randomBytes(NONCE_LENGTH));
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
    const b = this.#checkBinding(binding);
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
    const o = this.#offset;
    for (let i = 0; i < D; i++) y[i] = (ct.vector[i]! - lambda[i]! - o[i]!) * invS;
    this.#mix.invert(y, y, this.#t);
    const out = new Float32Array(this.dimension);
    for (let i = 0; i < this.dimension; i++) out[i] = y[i]!;
    return out;
  }

  /** out = float32(s * R(x) + o + lambda(seed)). Uses the #b and #t scratch buffers; x is clobbered. */
  #transform(x: Float64Array, seed: Uint8Array, out: Float32Array): void {
    const D = this.storedDimension;
    this.#mix.apply(x, x, this.#t);
    const lambda = sampleBall(seed, D, this.#radius, this.#b);
    const s = this.scale;
    const o = this.#offset;
    for (let i = 0; i < D; i++) out[i] = s * x[i]! + o[i]! + lambda[i]!;
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
    const aad = concatBytes(lp(String(this.version), this.kid, this.tenant, this.metric, collection, recordId, nonce), float32Bytes(vector));
    return primitives.chacha20poly1305Seal(tagKey, ZERO_NONCE_12, EMPTY, aad);
  }

  #checkBinding(binding: Omit<VectorBinding, 'nonce'>): { recordId: string; dataKey: Uint8Array; collection: string } {
    if (typeof binding !== 'object' || binding === null) throw new TypeError('"binding" expected object');
    const recordId = astring(binding.recordId, 'recordId');
    const dataKey = abytes(binding.dataKey, 'dataKey', DATA_KEY_LENGTH);
    if (this.version === 1) return { recordId, dataKey, collection: astring(binding.collection ?? '', 'collection') };
    if (binding.collection !== undefined && binding.collection !== this.collection) {
      throw new TypeError(`"collection" expected this cipher's collection ${JSON.stringify(this.collection)}, got ${JSON.stringify(binding.collection)}`);
    }
    return { recordId, dataKey, collection: this.collection };
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

const F64 = new Float64Array(1);
const F64_HI = new Uint32Array(F64.buffer, LITTLE_ENDIAN ? 4 : 0, 1);

/** floor(log2(v)) for a finite v > 0, from the float64 exponent bits (exact on every runtime). */
export function exponentOf(v: number): number {
  F64[0] = v;
  const biased = (F64_HI[0]! >>> 20) & 0x7ff;
  if (biased === 0) return exponentOf(v * 2 ** 64) - 64; // subnormal
  return biased - 1023;
}

/**
 * The bytes the v2 query noise is keyed on: lp("sealvec/v2/query-grid", e) followed by each
 * coordinate q_i rounded to the nearest multiple of 2^(e - QUERY_GRID_BITS), as a little-endian
 * int32, where e = floor(log2(sqrt(2) |q|)) (the string "zero" for the zero query). Every step
 * is exact or correctly rounded in float64, so the same query gives the same bytes on every
 * runtime.
 */
export function queryGrid(q: Float64Array, D: number): Uint8Array {
  let sq = 0;
  for (let i = 0; i < D; i++) sq += q[i]! * q[i]!;
  const n = Math.sqrt(sq);
  const e = n > 0 && Number.isFinite(n) ? exponentOf(n * Math.SQRT2) : null;
  const head = lengthPrefixed('sealvec/v2/query-grid', e === null ? 'zero' : String(e));
  const cells = new Int32Array(D);
  if (e !== null) {
    const f = 2 ** (QUERY_GRID_BITS - e); // a power of two: q_i * f is exact
    for (let i = 0; i < D; i++) cells[i] = Math.round(q[i]! * f);
  }
  const bytes = new Uint8Array(cells.buffer);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  }
  return concatBytes(head, bytes);
}

/** The little-endian bytes of a float32 array (the tagged representation). */
export function float32Bytes(v: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const out = new Uint8Array(v.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) dv.setFloat32(4 * i, v[i]!, true);
  return out;
}

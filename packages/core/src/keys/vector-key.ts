/**
 * Vector keys: the root secret of the similarity-preserving cipher, and keysets for rotation.
 *
 * Serialized forms are typed and versioned, never raw bytes:
 *   key:    "sealvec-vector-key-v1:" + base64url(32-byte secret)
 *   keyset: JSON { type: "sealvec/vector-keyset", version: 1, primary, keys: [{ key, created }] }
 * A key id (kid) is a public fingerprint: 16 hex chars of HKDF(secret, "key-id"). Ciphertexts
 * carry the kid of the key that made them.
 */
import { InvalidKey, KeyNotFound } from '../errors.js';
import { deriveKey, LABELS } from '../kdf.js';
import { abytes, fromBase64url, randomBytes, toBase64url, toHex } from '../utils.js';

export const VECTOR_KEY_PREFIX = 'sealvec-vector-key-v1:';
export const VECTOR_KEYSET_TYPE = 'sealvec/vector-keyset';
const SECRET_LENGTH = 32;

const SECRETS = new WeakMap<VectorKey, Uint8Array>();

/**
 * A vector key: its public id, and 32 secret bytes held out of reach of `console.log`,
 * `util.inspect`, `JSON.stringify`, `String()`, spreading, enumeration and `structuredClone`
 * (they live in a module-private WeakMap; only `exportVectorKey` writes them out, explicitly).
 */
export class VectorKey {
  readonly kid: string;

  /** @internal Use `generateVectorKey`, `vectorKeyFromSecret` or `importVectorKey`. */
  constructor(secret: Uint8Array) {
    abytes(secret, 'secret', SECRET_LENGTH);
    const copy = Uint8Array.from(secret);
    this.kid = keyIdOf(copy);
    SECRETS.set(this, copy);
    Object.freeze(this);
  }

  toJSON(): VectorKeyInfo {
    return vectorKeyInfo(this);
  }
  toString(): string {
    return `VectorKey(${this.kid})`;
  }
  /** What console.log and util.inspect print (Node looks this symbol up; no node: import needed). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** @internal The secret bytes of a key made by this library (TypeError for anything else). */
export function vectorKeySecret(key: VectorKey): Uint8Array {
  const s = typeof key === 'object' && key !== null ? SECRETS.get(key) : undefined;
  if (s === undefined) throw new TypeError('"key" expected a VectorKey made by this library');
  return s;
}

/** Secret-free description of a key, safe to print. */
export interface VectorKeyInfo {
  type: 'sealvec/vector-key';
  version: 1;
  kid: string;
}

export function keyIdOf(secret: Uint8Array): string {
  return toHex(deriveKey(secret, LABELS.keyId, ['vector'], 8));
}

export function vectorKeyFromSecret(secret: Uint8Array): VectorKey {
  return new VectorKey(secret);
}

export function generateVectorKey(): VectorKey {
  return vectorKeyFromSecret(randomBytes(SECRET_LENGTH));
}

export function exportVectorKey(key: VectorKey): string {
  return VECTOR_KEY_PREFIX + toBase64url(vectorKeySecret(key));
}

export function importVectorKey(serialized: string): VectorKey {
  if (typeof serialized !== 'string') throw new TypeError('"serialized" expected string');
  const s = serialized.trim();
  if (!s.startsWith(VECTOR_KEY_PREFIX)) {
    if (/^sealvec-vector-key-v\d+:/.test(s)) throw new InvalidKey('unsupported vector key version');
    throw new InvalidKey('not a sealvec vector key (expected prefix "sealvec-vector-key-v1:")');
  }
  let secret: Uint8Array;
  try {
    secret = fromBase64url(s.slice(VECTOR_KEY_PREFIX.length), 'vector key');
  } catch {
    throw new InvalidKey('vector key is not valid base64url');
  }
  if (secret.length !== SECRET_LENGTH) throw new InvalidKey(`vector key must hold ${SECRET_LENGTH} bytes`);
  return vectorKeyFromSecret(secret);
}

export function vectorKeyInfo(key: VectorKey): VectorKeyInfo {
  return { type: 'sealvec/vector-key', version: 1, kid: key.kid };
}

/** Per-tenant key material: vectors of different tenants live in unrelated spaces. */
export function tenantVectorSecret(key: VectorKey, tenant: string): Uint8Array {
  return deriveKey(vectorKeySecret(key), LABELS.tenantVector, [tenant]);
}

export interface KeysetEntry {
  key: VectorKey;
  /** ISO timestamp when the key was added (informational). */
  created: string;
}

export interface VectorKeysetInfo {
  type: typeof VECTOR_KEYSET_TYPE;
  version: 1;
  primary: string;
  keys: { kid: string; created: string; primary: boolean }[];
}

/**
 * One primary key (used for new encryptions) and older keys still valid for decryption and
 * search. Rotation: add(new) -> deploy -> promote(new) -> re-encrypt -> retire(old).
 * Immutable: every operation returns a new keyset.
 */
export class VectorKeyset {
  readonly primary: VectorKey;
  readonly entries: readonly KeysetEntry[];

  private constructor(entries: KeysetEntry[], primaryKid: string) {
    const p = entries.find((e) => e.key.kid === primaryKid);
    if (!p) throw new KeyNotFound(`primary key ${primaryKid} is not in the keyset`);
    this.entries = Object.freeze(entries.slice());
    this.primary = p.key;
  }

  static create(key: VectorKey = generateVectorKey(), created = new Date().toISOString()): VectorKeyset {
    return new VectorKeyset([{ key, created }], key.kid);
  }

  /** Every live key, primary first. Search during rotation queries all of them. */
  get keys(): VectorKey[] {
    return [this.primary, ...this.entries.filter((e) => e.key.kid !== this.primary.kid).map((e) => e.key)];
  }

  has(kid: string): boolean {
    return this.entries.some((e) => e.key.kid === kid);
  }

  get(kid: string): VectorKey {
    const e = this.entries.find((x) => x.key.kid === kid);
    if (!e) throw new KeyNotFound(`vector key ${kid} is not in the keyset`);
    return e.key;
  }

  add(key: VectorKey, created = new Date().toISOString()): VectorKeyset {
    if (this.has(key.kid)) return this;
    return new VectorKeyset([...this.entries, { key, created }], this.primary.kid);
  }

  promote(kid: string): VectorKeyset {
    this.get(kid);
    return new VectorKeyset(this.entries.slice(), kid);
  }

  retire(kid: string): VectorKeyset {
    this.get(kid);
    if (kid === this.primary.kid) throw new InvalidKey('cannot retire the primary key; promote another first');
    return new VectorKeyset(
      this.entries.filter((e) => e.key.kid !== kid),
      this.primary.kid,
    );
  }

  info(): VectorKeysetInfo {
    return {
      type: VECTOR_KEYSET_TYPE,
      version: 1,
      primary: this.primary.kid,
      keys: this.entries.map((e) => ({ kid: e.key.kid, created: e.created, primary: e.key.kid === this.primary.kid })),
    };
  }

  /** Serialized with secrets: for key files (mode 0600) only. */
  export(): string {
    return JSON.stringify(
      {
        type: VECTOR_KEYSET_TYPE,
        version: 1,
        primary: this.primary.kid,
        keys: this.entries.map((e) => ({ key: exportVectorKey(e.key), created: e.created })),
      },
      null,
      2,
    );
  }

  static import(serialized: string): VectorKeyset {
    let j: unknown;
    try {
      j = JSON.parse(serialized);
    } catch {
      throw new InvalidKey('vector keyset is not valid JSON');
    }
    if (typeof j !== 'object' || j === null) throw new InvalidKey('vector keyset must be a JSON object');
    const o = j as Record<string, unknown>;
    if (o.type !== VECTOR_KEYSET_TYPE) throw new InvalidKey(`not a sealvec vector keyset (type must be "${VECTOR_KEYSET_TYPE}")`);
    if (o.version !== 1) throw new InvalidKey('unsupported vector keyset version');
    if (typeof o.primary !== 'string' || !Array.isArray(o.keys) || o.keys.length === 0) {
      throw new InvalidKey('vector keyset needs "primary" and a non-empty "keys" array');
    }
    const entries: KeysetEntry[] = o.keys.map((k: unknown, i: number) => {
      const e = k as Record<string, unknown>;
      if (typeof e !== 'object' || e === null || typeof e.key !== 'string') {
        throw new InvalidKey(`vector keyset entry ${i} is malformed`);
      }
      return { key: importVectorKey(e.key), created: typeof e.created === 'string' ? e.created : '' };
    });
    try {
      return new VectorKeyset(entries, o.primary);
    } catch {
      throw new InvalidKey('vector keyset primary is not one of its keys');
    }
  }
}

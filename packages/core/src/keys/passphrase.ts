/**
 * The passphrase KeyProvider: the file key is wrapped under a key derived from a passphrase with
 * scrypt (memory-hard), parameters stored beside it in the stanza:
 *
 *   { "type": "scrypt", "logN": 17, "r": 8, "p": 1,
 *     "salt": base64url(16), "nonce": base64url(24), "wrapped": base64url(32 + 16) }
 *
 *   kek     = scrypt(UTF-8(NFC(passphrase)), salt, N = 2^logN, r, p, dkLen = 32)
 *   wrapped = XChaCha20-Poly1305(kek, nonce, aad = lp("sealvec/scrypt/v1", logN, r, p)).encrypt(fileKey)
 *
 * Defaults (version 1): logN 17, r 8, p 1 (128 MiB, OWASP's scrypt floor). The passphrase is
 * NFC-normalized so the same words typed on different systems derive the same key. Reading
 * refuses parameters outside SCRYPT_LIMITS before deriving anything, so a crafted file cannot
 * make the reader allocate gigabytes. A wrong passphrase is DecryptionFailed with no cause.
 *
 * scrypt comes from @noble/hashes directly: the primitives layer has no scrypt yet (Node's
 * crypto.scrypt would be the native one, about as fast here and byte-identical; the KAT test
 * checks noble's against it).
 */
import { primitives } from '#primitives';
import { scrypt } from '@noble/hashes/scrypt.js';
import { DecryptionFailed, InvalidKey } from '../errors.js';
import { lp } from '../format/lp.js';
import { clean, fromBase64url, randomBytes, toBase64url, utf8 } from '../utils.js';
import { FILE_KEY_LENGTH, type KeyStanza } from './protected-format.js';
import type { KeyProvider } from './provider.js';

export const SCRYPT_STANZA_TYPE = 'scrypt';
const SCRYPT_AAD_LABEL = 'sealvec/scrypt/v1';
export const SCRYPT_SALT_LENGTH = 16;
const NONCE_LENGTH = 24;
const TAG_LENGTH = 16;

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  logN: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/** Parameters of new protections (format version 1). */
export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ logN: 17, r: 8, p: 1 });

/** What a reader accepts: anything else is refused before any work. */
export const SCRYPT_LIMITS = Object.freeze({
  minLogN: 10,
  maxLogN: 20,
  maxR: 32,
  maxP: 16,
  /** 128 * r * N bytes of scrypt memory. */
  maxMemoryBytes: 2 ** 30,
});

export type PassphraseSource = string | (() => string | Promise<string>);

export interface PassphraseProviderOptions {
  /** scrypt parameters of new protections (default DEFAULT_SCRYPT). */
  scrypt?: Partial<ScryptParams>;
  /** TEST ONLY: a deterministic random source for salt and nonce (known-answer tests). */
  testOnlyRandom?: (n: number) => Uint8Array;
}

/** Checks scrypt parameters; `fail` builds the error (RangeError for a caller's, InvalidKey for a file's). */
export function checkScryptParams(p: { logN: unknown; r: unknown; p: unknown }, fail: (m: string) => Error): ScryptParams {
  const int = (v: unknown, name: string, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw fail(`scrypt "${name}" expected an integer in [${min}, ${max}], got ${String(v)}`);
    return v;
  };
  const logN = int(p.logN, 'logN', SCRYPT_LIMITS.minLogN, SCRYPT_LIMITS.maxLogN);
  const r = int(p.r, 'r', 1, SCRYPT_LIMITS.maxR);
  const par = int(p.p, 'p', 1, SCRYPT_LIMITS.maxP);
  if (128 * r * 2 ** logN > SCRYPT_LIMITS.maxMemoryBytes) throw fail(`scrypt parameters need more than ${SCRYPT_LIMITS.maxMemoryBytes} bytes of memory`);
  return { logN, r, p: par };
}

async function passphraseBytes(source: PassphraseSource): Promise<Uint8Array> {
  const s = typeof source === 'function' ? await source() : source;
  if (typeof s !== 'string') throw new TypeError('"passphrase" expected string');
  if (s.length === 0) throw new RangeError('"passphrase" expected a non-empty string');
  return utf8(s.normalize('NFC'));
}

function deriveKek(pass: Uint8Array, salt: Uint8Array, p: ScryptParams): Uint8Array {
  return scrypt(pass, salt, { N: 2 ** p.logN, r: p.r, p: p.p, dkLen: 32, maxmem: SCRYPT_LIMITS.maxMemoryBytes + 1024 * 1024 });
}

function stanzaAad(p: ScryptParams): Uint8Array {
  return lp(SCRYPT_AAD_LABEL, String(p.logN), String(p.r), String(p.p));
}

/**
 * A KeyProvider for a passphrase, given as a string or as a function called only when a key must
 * be wrapped or unwrapped (a prompt, an environment variable).
 */
export function passphraseProvider(passphrase: PassphraseSource, options: PassphraseProviderOptions = {}): KeyProvider {
  if (typeof passphrase !== 'string' && typeof passphrase !== 'function') throw new TypeError('"passphrase" expected string or function');
  const params = checkScryptParams({ ...DEFAULT_SCRYPT, ...(options.scrypt ?? {}) }, (m) => new RangeError(m));
  const random = options.testOnlyRandom ?? randomBytes;
  return Object.freeze({
    type: SCRYPT_STANZA_TYPE,
    async wrap(fileKey: Uint8Array): Promise<KeyStanza> {
      const pass = await passphraseBytes(passphrase);
      const salt = random(SCRYPT_SALT_LENGTH);
      const kek = deriveKek(pass, salt, params);
      clean(pass);
      const nonce = random(NONCE_LENGTH);
      const wrapped = primitives.xchacha20poly1305Seal(kek, nonce, fileKey, stanzaAad(params));
      clean(kek);
      return { type: SCRYPT_STANZA_TYPE, ...params, salt: toBase64url(salt), nonce: toBase64url(nonce), wrapped: toBase64url(wrapped) };
    },
    async unwrap(stanza: KeyStanza): Promise<Uint8Array | null> {
      if (stanza.type !== SCRYPT_STANZA_TYPE) return null;
      for (const k of Object.keys(stanza)) {
        if (!['type', 'logN', 'r', 'p', 'salt', 'nonce', 'wrapped'].includes(k)) throw new InvalidKey(`scrypt stanza has an unknown field ${JSON.stringify(k)}`);
      }
      const p = checkScryptParams({ logN: stanza.logN, r: stanza.r, p: stanza.p }, (m) => new InvalidKey(m));
      const bytes = (field: string, length: number): Uint8Array => {
        const v = stanza[field];
        let b: Uint8Array;
        try {
          b = fromBase64url(typeof v === 'string' ? v : '', field);
        } catch {
          throw new InvalidKey(`scrypt stanza "${field}" is not valid base64url`);
        }
        if (typeof v !== 'string' || b.length !== length) throw new InvalidKey(`scrypt stanza "${field}" must hold ${length} bytes`);
        return b;
      };
      const salt = bytes('salt', SCRYPT_SALT_LENGTH);
      const nonce = bytes('nonce', NONCE_LENGTH);
      const wrapped = bytes('wrapped', FILE_KEY_LENGTH + TAG_LENGTH);
      const pass = await passphraseBytes(passphrase);
      const kek = deriveKek(pass, salt, p);
      clean(pass);
      const fileKey = primitives.xchacha20poly1305Open(kek, nonce, wrapped, stanzaAad(p));
      clean(kek);
      if (fileKey === null) throw new DecryptionFailed();
      return fileKey;
    },
  });
}

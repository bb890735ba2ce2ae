/**
 * The stored form of a secret protected by a KeyProvider (a passphrase, a KMS, a vault). Bytes
 * and JSON only: no cryptography happens here (./provider.ts does it).
 *
 *   {
 *     "type": "sealvec/protected", "version": 1,
 *     "holds": "sealvec/authority",              what the plaintext is (public, authenticated)
 *     "stanza": { "type": "scrypt", ... },       how the file key is wrapped (public, authenticated)
 *     "nonce": base64url(24 bytes),
 *     "ciphertext": base64url(XChaCha20-Poly1305(fileKey, nonce, aad).encrypt(plaintext))
 *   }
 *   aad = lp("sealvec/protected/v1", holds, stanza fields sorted by name: name, "i"|"s" + value)
 *
 * The stanza is the provider's public record of the wrapped file key (as age's stanzas): a flat
 * object of strings and integers. Editing any byte of holds, stanza, nonce or ciphertext makes
 * opening fail with the one generic DecryptionFailed.
 */
import { InvalidKey } from '../errors.js';
import { lp } from '../format/lp.js';
import { fromBase64url, shortValue, toBase64url } from '../utils.js';

export const PROTECTED_TYPE = 'sealvec/protected';
export const PROTECTED_VERSION = 1;
export const PROTECTED_AAD_LABEL = 'sealvec/protected/v1';

/** The file key every provider wraps: an XChaCha20-Poly1305 key. */
export const FILE_KEY_LENGTH = 32;
export const PROTECTED_NONCE_LENGTH = 24;
export const PROTECTED_TAG_LENGTH = 16;
/** Largest protected plaintext: a key backup of a few key files and user keys (4 MiB). */
export const MAX_PROTECTED_PLAINTEXT = 4 * 1024 * 1024;
/** Serialized containers longer than this are refused before parsing. */
export const MAX_PROTECTED_TEXT = Math.ceil(((MAX_PROTECTED_PLAINTEXT + PROTECTED_TAG_LENGTH) * 4) / 3) + 64 * 1024;
/** Stanza limits: a bounded, flat record a reader parses without surprises. */
export const MAX_STANZA_FIELDS = 16;
export const MAX_STANZA_STRING = 4096;
export const STANZA_TYPE_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const STANZA_FIELD_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,31}$/;
/** What a container may hold: a type name such as "sealvec/authority". */
export const HOLDS_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}\/[a-z0-9][a-z0-9-]{0,63}$/;

/** A provider's public record of a wrapped file key: `type` plus strings and integers. */
export interface KeyStanza {
  readonly type: string;
  readonly [field: string]: string | number;
}

export interface ProtectedParts {
  holds: string;
  stanza: KeyStanza;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

/** Checks a stanza's shape; `fail` builds the error (InvalidKey for stored data, TypeError for a provider's output). */
export function checkStanza(value: unknown, fail: (message: string) => Error): KeyStanza {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('"stanza" must be an object');
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length > MAX_STANZA_FIELDS) throw fail(`"stanza" has more than ${MAX_STANZA_FIELDS} fields`);
  if (typeof o.type !== 'string' || !STANZA_TYPE_PATTERN.test(o.type)) throw fail(`"stanza.type" must match ${STANZA_TYPE_PATTERN.source}`);
  for (const k of keys) {
    if (!STANZA_FIELD_PATTERN.test(k)) throw fail(`"stanza" field name ${JSON.stringify(k.slice(0, 40))} must match ${STANZA_FIELD_PATTERN.source}`);
    const v = o[k];
    if (typeof v === 'string') {
      if (v.length > MAX_STANZA_STRING) throw fail(`"stanza.${k}" is longer than ${MAX_STANZA_STRING} characters`);
    } else if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      throw fail(`"stanza.${k}" must be a string or an integer`);
    }
  }
  return Object.freeze({ ...o }) as KeyStanza;
}

/** The associated data binding holds and the stanza to the ciphertext. */
export function protectedAad(holds: string, stanza: KeyStanza): Uint8Array {
  const fields: string[] = [PROTECTED_AAD_LABEL, holds];
  for (const k of Object.keys(stanza).sort()) {
    const v = stanza[k] as string | number;
    fields.push(k, `${typeof v === 'number' ? 'i' : 's'}${String(v)}`);
  }
  return lp(...fields);
}

export function encodeProtected(p: ProtectedParts): string {
  return JSON.stringify(
    {
      type: PROTECTED_TYPE,
      version: PROTECTED_VERSION,
      holds: p.holds,
      stanza: p.stanza,
      nonce: toBase64url(p.nonce),
      ciphertext: toBase64url(p.ciphertext),
    },
    null,
    2,
  );
}

/** Whether a text is a protected container (by its type field), without judging the rest. */
export function isProtectedText(text: string): boolean {
  if (typeof text !== 'string' || text.length > MAX_PROTECTED_TEXT) return false;
  try {
    const j = JSON.parse(text) as { type?: unknown } | null;
    return typeof j === 'object' && j !== null && j.type === PROTECTED_TYPE;
  } catch {
    return false;
  }
}

/** Parses and checks a container. Throws InvalidKey naming the first problem. */
export function parseProtected(text: string): ProtectedParts {
  if (typeof text !== 'string') throw new TypeError('"text" expected string');
  if (text.length > MAX_PROTECTED_TEXT) throw new InvalidKey(`protected key is longer than ${MAX_PROTECTED_TEXT} characters`);
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new InvalidKey('protected key is not valid JSON');
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new InvalidKey('protected key must be a JSON object');
  const o = j as Record<string, unknown>;
  if (o.type !== PROTECTED_TYPE) throw new InvalidKey(`not a ${PROTECTED_TYPE} (its type is ${shortValue(o.type)})`);
  if (o.version !== PROTECTED_VERSION) throw new InvalidKey(`unsupported ${PROTECTED_TYPE} version ${shortValue(o.version)}`);
  for (const k of Object.keys(o)) {
    if (!['type', 'version', 'holds', 'stanza', 'nonce', 'ciphertext'].includes(k)) throw new InvalidKey(`${PROTECTED_TYPE} has an unknown field ${JSON.stringify(k)}`);
  }
  if (typeof o.holds !== 'string' || !HOLDS_PATTERN.test(o.holds)) throw new InvalidKey(`"holds" must match ${HOLDS_PATTERN.source}`);
  const stanza = checkStanza(o.stanza, (m) => new InvalidKey(m));
  const b64 = (field: 'nonce' | 'ciphertext'): Uint8Array => {
    const v = o[field];
    if (typeof v !== 'string') throw new InvalidKey(`"${field}" must be a base64url string`);
    try {
      return fromBase64url(v, field);
    } catch {
      throw new InvalidKey(`"${field}" is not valid base64url`);
    }
  };
  const nonce = b64('nonce');
  if (nonce.length !== PROTECTED_NONCE_LENGTH) throw new InvalidKey(`"nonce" must hold ${PROTECTED_NONCE_LENGTH} bytes, got ${nonce.length}`);
  const ciphertext = b64('ciphertext');
  if (ciphertext.length < PROTECTED_TAG_LENGTH) throw new InvalidKey('"ciphertext" is shorter than its tag');
  if (ciphertext.length > MAX_PROTECTED_PLAINTEXT + PROTECTED_TAG_LENGTH) throw new InvalidKey(`"ciphertext" is larger than ${MAX_PROTECTED_PLAINTEXT} bytes`);
  return { holds: o.holds, stanza, nonce, ciphertext };
}

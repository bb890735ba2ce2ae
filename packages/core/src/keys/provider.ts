/**
 * Protecting a secret (a serialized key, a key backup) with a KeyProvider: envelope encryption.
 * A fresh random 32-byte file key seals the secret (XChaCha20-Poly1305, header bound as
 * associated data, ./protected-format.ts); the provider wraps the file key. The provider can be
 * a passphrase (./passphrase.ts), or a KMS or vault reached through two callbacks, so the
 * authority's master secret never has to sit on disk in the clear (recipe in docs/keys.md).
 *
 * The contract, as in age's stanzas:
 * - `wrap(fileKey)` returns a stanza: a small public record (type, parameters, the wrapped key).
 * - `unwrap(stanza)` returns the file key, `null` when the stanza is not for this provider
 *   (another type, another KMS key), and throws DecryptionFailed when it is but cannot be
 *   unwrapped (wrong passphrase, key disabled). Other errors (a KMS out of reach) pass through.
 * Every failure to open, whatever its cause, surfaces as the same DecryptionFailed with no cause
 * attached, so error output can never become an oracle or carry secret bytes.
 */
import { primitives } from '#primitives';
import { DecryptionFailed, InvalidKey } from '../errors.js';
import { clean, isBytes, randomBytes, utf8 } from '../utils.js';
import {
  checkStanza,
  encodeProtected,
  FILE_KEY_LENGTH,
  HOLDS_PATTERN,
  MAX_PROTECTED_PLAINTEXT,
  parseProtected,
  protectedAad,
  PROTECTED_NONCE_LENGTH,
  type KeyStanza,
} from './protected-format.js';

export type { KeyStanza } from './protected-format.js';

export interface KeyProvider {
  /** The stanza type this provider writes and reads, e.g. "scrypt", "aws-kms". */
  readonly type: string;
  /**
   * Wraps a fresh 32-byte file key. The stanza is stored in the clear beside the ciphertext:
   * it must hold nothing secret except the wrapped key itself.
   */
  wrap(fileKey: Uint8Array): KeyStanza | Promise<KeyStanza>;
  /** The file key; null when the stanza is not this provider's; throws DecryptionFailed when it is but fails. */
  unwrap(stanza: KeyStanza): Uint8Array | null | Promise<Uint8Array | null>;
}

export interface ProtectOptions {
  /** TEST ONLY: a deterministic random source for the file key and nonce (known-answer tests). */
  testOnlyRandom?: (n: number) => Uint8Array;
}

export interface Unprotected {
  holds: string;
  plaintext: Uint8Array;
}

function checkProvider(p: unknown, name: string): KeyProvider {
  const o = p as KeyProvider | null;
  if (typeof o !== 'object' || o === null || typeof o.wrap !== 'function' || typeof o.unwrap !== 'function' || typeof o.type !== 'string') {
    throw new TypeError(`"${name}" expected a KeyProvider { type, wrap, unwrap }`);
  }
  return o;
}

/**
 * Seals `plaintext` (bytes, or a string taken as UTF-8) under a fresh file key wrapped by
 * `provider`. `holds` says what it is ("sealvec/authority", "sealvec/key-backup", ...) and is
 * authenticated. Returns the container text (JSON).
 */
export async function protectSecret(plaintext: Uint8Array | string, holds: string, provider: KeyProvider, options: ProtectOptions = {}): Promise<string> {
  const pt = typeof plaintext === 'string' ? utf8(plaintext) : plaintext;
  if (!isBytes(pt)) throw new TypeError('"plaintext" expected Uint8Array or string');
  if (pt.length > MAX_PROTECTED_PLAINTEXT) throw new RangeError(`"plaintext" expected at most ${MAX_PROTECTED_PLAINTEXT} bytes, got ${pt.length}`);
  if (typeof holds !== 'string' || !HOLDS_PATTERN.test(holds)) throw new TypeError(`"holds" expected a type name matching ${HOLDS_PATTERN.source}`);
  checkProvider(provider, 'provider');
  const random = options.testOnlyRandom ?? randomBytes;
  const fileKey = random(FILE_KEY_LENGTH);
  try {
    const stanza = checkStanza(await provider.wrap(Uint8Array.from(fileKey)), (m) => new TypeError(`provider "${provider.type}" returned a bad stanza: ${m}`));
    if (stanza.type !== provider.type) throw new TypeError(`provider "${provider.type}" returned a stanza of type "${stanza.type}"`);
    const nonce = random(PROTECTED_NONCE_LENGTH);
    const ciphertext = primitives.xchacha20poly1305Seal(fileKey, nonce, pt, protectedAad(holds, stanza));
    return encodeProtected({ holds, stanza, nonce, ciphertext });
  } finally {
    clean(fileKey);
    if (pt !== plaintext) clean(pt);
  }
}

/**
 * Opens a container with the first provider that recognises its stanza. InvalidKey when the
 * text is not a well-formed container, holds something other than `expect.holds`, or no given
 * provider recognises the stanza; DecryptionFailed (no cause) for a wrong passphrase or key, or
 * any edit to the container.
 */
export async function unprotectSecret(text: string, providers: KeyProvider | readonly KeyProvider[], expect: { holds?: string } = {}): Promise<Unprotected> {
  const list = (Array.isArray(providers) ? providers : [providers]) as readonly KeyProvider[];
  list.forEach((p, i) => checkProvider(p, `providers[${i}]`));
  const parts = parseProtected(text);
  if (expect.holds !== undefined && parts.holds !== expect.holds) {
    throw new InvalidKey(`the protected file holds a ${parts.holds}, expected a ${expect.holds}`);
  }
  for (const provider of list) {
    let fileKey: Uint8Array | null;
    try {
      fileKey = await provider.unwrap(parts.stanza);
    } catch (e) {
      // A refusal (wrong passphrase) becomes the generic failure, rebuilt without its cause so
      // nothing the provider attached can travel further. Other errors (a KMS out of reach, a
      // malformed stanza) are the operator's to see and pass through.
      if (e instanceof DecryptionFailed) throw new DecryptionFailed();
      throw e;
    }
    if (fileKey === null) continue;
    if (!isBytes(fileKey) || fileKey.length !== FILE_KEY_LENGTH) {
      throw new RangeError(`provider "${provider.type}" expected to return a ${FILE_KEY_LENGTH}-byte file key`);
    }
    const plaintext = primitives.xchacha20poly1305Open(fileKey, parts.nonce, parts.ciphertext, protectedAad(parts.holds, parts.stanza));
    clean(fileKey);
    if (plaintext === null) throw new DecryptionFailed();
    return { holds: parts.holds, plaintext };
  }
  throw new InvalidKey(`protected with "${parts.stanza.type}", and no provider for it was given${list.length ? ` (given: ${list.map((p) => p.type).join(', ')})` : ''}`);
}

/** The secret-free view of a container: what it holds and how it is protected (the stanza's integers). */
export function protectedInfo(text: string): { holds: string; provider: string; params: Record<string, number> } {
  const { holds, stanza } = parseProtected(text);
  const params: Record<string, number> = {};
  for (const [k, v] of Object.entries(stanza)) if (typeof v === 'number') params[k] = v;
  return { holds, provider: stanza.type, params };
}

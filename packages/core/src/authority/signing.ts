/**
 * Signing keys of format v2 (who may write what):
 *
 *   master ──authoritySign──> the authority's Ed25519 key A (certifies writer keys)
 *   epoch secret ──writerSign──> the writer's Ed25519 key W of one (epoch, tenant)
 *   certificate = Sign_A(lp("sealvec/v2/writer-certificate", authority id, tenant, epoch, W.pub))
 *
 * A writer signs every record it seals (and the scheme of every collection it creates) with W.
 * Readers verify records with W.pub, which the authority puts in their user key for the same
 * (epoch, tenant); anyone holding the authority's public key verifies a scheme through the
 * certificate it carries. A data key is shared by every reader of a record, so symmetric checks
 * under it only prove "some reader wrote this": the signature is what a reader cannot forge.
 * After an epoch rotation the new writer key is a new W, so a leaked writer key of an old epoch
 * cannot sign anything the new epoch's readers accept.
 */
import { primitives } from '#primitives';
import type { Ed25519Signer, Ed25519Verifier } from '../primitives/api.js';
import { InvalidKey } from '../errors.js';
import { lp } from '../format/lp.js';
import { deriveKey, LABELS } from '../kdf.js';
import { abytes, fromBase64url, toBase64url } from '../utils.js';

export const AUTHORITY_PUBLIC_KEY_TYPE = 'sealvec/authority-public-key';
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

export function authoritySigner(master: Uint8Array): Ed25519Signer {
  const seed = deriveKey(master, LABELS.authoritySign);
  try {
    return primitives.ed25519Signer(seed);
  } finally {
    seed.fill(0);
  }
}

export function writerSigner(epochSecret: Uint8Array): Ed25519Signer {
  const seed = deriveKey(epochSecret, LABELS.writerSign);
  try {
    return primitives.ed25519Signer(seed);
  } finally {
    seed.fill(0);
  }
}

export function certificateMessage(authorityId: string, tenant: string, epoch: number, writerPublicKey: Uint8Array): Uint8Array {
  return lp('sealvec/v2/writer-certificate', authorityId, tenant, String(epoch), writerPublicKey);
}

const PUBLIC = new WeakMap<AuthorityPublicKey, { bytes: Uint8Array; verifier: Ed25519Verifier | undefined }>();

/**
 * The public half of an authority's signing key, with the authority's id: what a client needs to
 * check that a collection's scheme was made by a writer this authority certified. Public: safe
 * to print, log and share. Every UserKey and certified WriterKey carries it (`key.authorityKey`).
 */
export class AuthorityPublicKey {
  readonly kind = 'authority-public' as const;
  readonly id: string;

  /** @internal Use `authority.publicKey`, `key.authorityKey` or `importAuthorityPublicKey`. */
  constructor(id: string, publicKey: Uint8Array) {
    if (typeof id !== 'string' || !/^[0-9a-f]{16}$/.test(id)) throw new TypeError('"id" expected a 16-hex-digit authority id');
    abytes(publicKey, 'publicKey', ED25519_PUBLIC_KEY_LENGTH);
    this.id = id;
    PUBLIC.set(this, { bytes: Uint8Array.from(publicKey), verifier: undefined });
    Object.freeze(this);
  }

  /** The 32-byte Ed25519 public key (a copy). */
  get publicKey(): Uint8Array {
    return Uint8Array.from(publicBytes(this));
  }

  toJSON(): { type: typeof AUTHORITY_PUBLIC_KEY_TYPE; version: 1; id: string; publicKey: string } {
    return { type: AUTHORITY_PUBLIC_KEY_TYPE, version: 1, id: this.id, publicKey: toBase64url(publicBytes(this)) };
  }
  toString(): string {
    return `AuthorityPublicKey(${this.id})`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function publicBytes(k: AuthorityPublicKey): Uint8Array {
  const s = typeof k === 'object' && k !== null ? PUBLIC.get(k) : undefined;
  if (s === undefined) throw new TypeError('"authorityKey" expected an AuthorityPublicKey made by this library');
  return s.bytes;
}

/** Checks a signature under the authority's key (the verifier is parsed once and cached). */
export function verifyByAuthority(k: AuthorityPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  const s = PUBLIC.get(k);
  if (s === undefined) throw new TypeError('"authorityKey" expected an AuthorityPublicKey made by this library');
  s.verifier ??= primitives.ed25519Verifier(s.bytes);
  return s.verifier.verify(message, signature);
}

/** True when `certificate` is the authority's signature on (tenant, epoch, writer public key). */
export function verifyWriterCertificate(
  authorityKey: AuthorityPublicKey,
  tenant: string,
  epoch: number,
  writerPublicKey: Uint8Array,
  certificate: Uint8Array,
): boolean {
  if (certificate.length !== SIGNATURE_LENGTH || writerPublicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
  return verifyByAuthority(authorityKey, certificateMessage(authorityKey.id, tenant, epoch, writerPublicKey), certificate);
}

export function exportAuthorityPublicKey(k: AuthorityPublicKey): string {
  return JSON.stringify(k.toJSON(), null, 2);
}

export function importAuthorityPublicKey(text: string): AuthorityPublicKey {
  if (typeof text !== 'string') throw new TypeError('"serialized" expected string');
  if (text.length > 4096) throw new InvalidKey('authority public key text is too long');
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new InvalidKey('authority public key is not valid JSON');
  }
  return authorityPublicKeyFromJSON(o);
}

/** From the parsed JSON object (as embedded in key files). InvalidKey for anything malformed. */
export function authorityPublicKeyFromJSON(o: unknown): AuthorityPublicKey {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new InvalidKey('authority public key must be a JSON object');
  const j = o as Record<string, unknown>;
  if (j.type !== AUTHORITY_PUBLIC_KEY_TYPE) throw new InvalidKey(`not a ${AUTHORITY_PUBLIC_KEY_TYPE}`);
  if (j.version !== 1) throw new InvalidKey('unsupported authority public key version');
  for (const k of Object.keys(j)) {
    if (!['type', 'version', 'id', 'publicKey'].includes(k)) throw new InvalidKey(`authority public key has an unknown field ${JSON.stringify(k)}`);
  }
  if (typeof j.id !== 'string' || !/^[0-9a-f]{16}$/.test(j.id)) throw new InvalidKey('"id" must be a 16-hex-digit authority id');
  if (typeof j.publicKey !== 'string') throw new InvalidKey('"publicKey" must be base64url');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(j.publicKey);
  } catch {
    throw new InvalidKey('"publicKey" must be base64url');
  }
  if (bytes.length !== ED25519_PUBLIC_KEY_LENGTH) throw new InvalidKey(`"publicKey" must hold ${ED25519_PUBLIC_KEY_LENGTH} bytes`);
  return new AuthorityPublicKey(j.id, bytes);
}

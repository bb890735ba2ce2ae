/**
 * What a client trusts about a collection, and why: the scheme is read from the store, so it is
 * used only after its signature verifies against the authority's public key, which comes from the
 * caller's own key (never from the store); then the client's own beta floor applies. A format v1
 * collection (unsigned scheme) is read only when the caller says so explicitly.
 */
import {
  AuthorityPublicKey,
  checkBetaFloor,
  InvalidKey,
  parseScheme,
  SchemeMismatch,
  SchemeUnauthenticated,
  verifyScheme,
  type Scheme,
  type UserKey,
  type WriterKey,
} from '@sealvec/core';
import type { CollectionDescription } from '../backend/types.js';

/** The authority's public key, or a key that carries it. */
export type AuthorityTrust = AuthorityPublicKey | UserKey | WriterKey;

/** The authority a trust names (validates its shape: a TypeError for anything but a key). */
export function authorityIdOf(trust: AuthorityTrust): string {
  if (trust instanceof AuthorityPublicKey) return trust.id;
  if (typeof trust === 'object' && trust !== null && (trust.kind === 'user' || trust.kind === 'writer')) return trust.authorityId;
  throw new TypeError('"authority" expected the authority\'s public key, a UserKey or a WriterKey (it verifies the collection\'s scheme)');
}

/**
 * The authority's public key a trust carries. A key of format v1 carries none: InvalidKey (a
 * property of the key file, as when such a key meets a signed record), since it can read only
 * format v1 collections, whose scheme is not signed.
 */
export function authorityKeyOf(trust: AuthorityTrust): AuthorityPublicKey {
  authorityIdOf(trust);
  if (trust instanceof AuthorityPublicKey) return trust;
  if (trust.authorityKey === null) {
    throw new InvalidKey(
      `this ${trust.kind} key predates writer signatures (key format v1) and carries no authority public key to verify the collection's scheme: issue it again (or pass the authority's public key as "authority")`,
    );
  }
  return trust.authorityKey;
}

export interface TrustOptions {
  /** Client-side floor on relative beta; default BETA_FLOOR. Never taken from the store. */
  betaFloor?: number;
  /** Read a format v1 collection, whose scheme the store could have changed (read and migrate only). */
  acceptUnauthenticatedV1?: boolean;
}

/**
 * The collection's scheme, authenticated (or an explicitly accepted v1 one), and within the floor.
 * A v1 scheme carries no signature, so only the authority id is compared: a key of format v1
 * reads it too.
 */
export function trustedScheme(desc: CollectionDescription, trust: AuthorityTrust, options: TrustOptions): Scheme {
  const scheme = parseScheme(desc.name, desc.metadata);
  if (scheme.version === 2) {
    verifyScheme(scheme, desc.name, authorityKeyOf(trust));
  } else {
    if (options.acceptUnauthenticatedV1 !== true) {
      throw new SchemeUnauthenticated(
        `collection "${desc.name}" uses the format v1 scheme, which the store could have changed; open it with acceptUnauthenticatedV1: true to read it and migrate it (rotateKey)`,
      );
    }
    const id = authorityIdOf(trust);
    if (scheme.authority !== id) {
      throw new SchemeMismatch(`collection "${desc.name}" is sealed for authority ${scheme.authority}, not ${id}`);
    }
  }
  checkBetaFloor(scheme, options.betaFloor);
  return scheme;
}

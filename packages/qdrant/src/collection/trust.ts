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

export function authorityKeyOf(trust: AuthorityTrust): AuthorityPublicKey {
  if (trust instanceof AuthorityPublicKey) return trust;
  if (typeof trust === 'object' && trust !== null && (trust.kind === 'user' || trust.kind === 'writer')) {
    // A property of the caller's key file, not a programmer error: a coded error the CLI can map.
    if (trust.authorityKey === null) {
      throw new InvalidKey(
        `this ${trust.kind} key predates writer signatures (key format v1) and carries no authority public key to verify the collection's scheme: issue it again (or pass the authority's public key as "authority")`,
      );
    }
    return trust.authorityKey;
  }
  throw new TypeError('"authority" expected the authority\'s public key, a UserKey or a WriterKey (it verifies the collection\'s scheme)');
}

export interface TrustOptions {
  /** Client-side floor on relative beta; default BETA_FLOOR. Never taken from the store. */
  betaFloor?: number;
  /** Read a format v1 collection, whose scheme the store could have changed (read and migrate only). */
  acceptUnauthenticatedV1?: boolean;
}

/** The collection's scheme, authenticated (or an explicitly accepted v1 one), and within the floor. */
export function trustedScheme(desc: CollectionDescription, trust: AuthorityPublicKey, options: TrustOptions): Scheme {
  const scheme = parseScheme(desc.name, desc.metadata);
  if (scheme.version === 2) {
    verifyScheme(scheme, desc.name, trust);
  } else {
    if (options.acceptUnauthenticatedV1 !== true) {
      throw new SchemeUnauthenticated(
        `collection "${desc.name}" uses the format v1 scheme, which the store could have changed; open it with acceptUnauthenticatedV1: true to read it and migrate it (rotateKey)`,
      );
    }
    if (scheme.authority !== trust.id) {
      throw new SchemeMismatch(`collection "${desc.name}" is sealed for authority ${scheme.authority}, not ${trust.id}`);
    }
  }
  checkBetaFloor(scheme, options.betaFloor);
  return scheme;
}

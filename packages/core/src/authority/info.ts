/**
 * Secret-free views of policy keys, safe to print, log or return from `--json`. They carry ids,
 * scope and shape; no secret and nothing derived from one except the authority's public id.
 */
import { attributesToJSON } from '../policy/policy.js';
import { toBase64url } from '../utils.js';
import type { Authority, UserKey, WriterKey } from './keys.js';
import { AUTHORITY_TYPE, KEY_FORMAT_VERSION, SIGNED_KEY_FORMAT_VERSION, USER_KEY_TYPE, WRITER_KEY_TYPE } from './serialize.js';

export interface AuthorityInfo {
  type: typeof AUTHORITY_TYPE;
  version: typeof KEY_FORMAT_VERSION;
  id: string;
  schema: string[];
  epoch: number;
  /** The authority's public signing key (base64url). */
  publicKey: string;
}

export interface WriterKeyInfo {
  type: typeof WRITER_KEY_TYPE;
  version: number;
  authority: string;
  schema: string[];
  tenant: string;
  epoch: number;
  /** Carries the authority's certificate (format v2): can create collections. */
  certified: boolean;
  /** The writer's public signing key for this (epoch, tenant) (base64url). */
  publicKey: string;
}

export interface UserKeyInfo {
  type: typeof USER_KEY_TYPE;
  version: number;
  authority: string;
  schema: string[];
  tenant: string;
  epoch: number;
  attributes: Record<string, string[]>;
  /** Number of tuple keys held. */
  tuples: number;
  blindIndexFields: string[];
  /** The writer public key this user accepts signatures from (base64url); null for v1 key files. */
  writerKey: string | null;
}

export function authorityInfo(a: Authority): AuthorityInfo {
  return {
    type: AUTHORITY_TYPE,
    version: KEY_FORMAT_VERSION,
    id: a.id,
    schema: a.schema.dimensions.slice(),
    epoch: a.epoch,
    publicKey: toBase64url(a.publicKey.publicKey),
  };
}

export function writerKeyInfo(w: WriterKey): WriterKeyInfo {
  return {
    type: WRITER_KEY_TYPE,
    version: w.authorityKey === null ? KEY_FORMAT_VERSION : SIGNED_KEY_FORMAT_VERSION,
    authority: w.authorityId,
    schema: w.schema.dimensions.slice(),
    tenant: w.tenant,
    epoch: w.epoch,
    certified: w.authorityKey !== null,
    publicKey: toBase64url(w.publicKey),
  };
}

export function userKeyInfo(u: UserKey): UserKeyInfo {
  return {
    type: USER_KEY_TYPE,
    version: u.authorityKey === null ? KEY_FORMAT_VERSION : SIGNED_KEY_FORMAT_VERSION,
    authority: u.authorityId,
    schema: u.schema.dimensions.slice(),
    tenant: u.tenant,
    epoch: u.epoch,
    attributes: attributesToJSON(u.attributes),
    tuples: u.tuples.length,
    blindIndexFields: u.blindIndexFields.slice(),
    writerKey: u.writerPublicKey === null ? null : toBase64url(u.writerPublicKey),
  };
}

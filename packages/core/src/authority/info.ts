/**
 * Secret-free views of policy keys, safe to print, log or return from `--json`. They carry ids,
 * scope and shape; no secret and nothing derived from one except the authority's public id.
 */
import { attributesToJSON } from '../policy/policy.js';
import type { Authority, UserKey, WriterKey } from './keys.js';
import { AUTHORITY_TYPE, KEY_FORMAT_VERSION, USER_KEY_TYPE, WRITER_KEY_TYPE } from './serialize.js';

export interface AuthorityInfo {
  type: typeof AUTHORITY_TYPE;
  version: typeof KEY_FORMAT_VERSION;
  id: string;
  schema: string[];
  epoch: number;
}

export interface WriterKeyInfo {
  type: typeof WRITER_KEY_TYPE;
  version: typeof KEY_FORMAT_VERSION;
  authority: string;
  schema: string[];
  tenant: string;
  epoch: number;
}

export interface UserKeyInfo {
  type: typeof USER_KEY_TYPE;
  version: typeof KEY_FORMAT_VERSION;
  authority: string;
  schema: string[];
  tenant: string;
  epoch: number;
  attributes: Record<string, string[]>;
  /** Number of tuple keys held. */
  tuples: number;
  blindIndexFields: string[];
}

export function authorityInfo(a: Authority): AuthorityInfo {
  return { type: AUTHORITY_TYPE, version: KEY_FORMAT_VERSION, id: a.id, schema: a.schema.dimensions.slice(), epoch: a.epoch };
}

export function writerKeyInfo(w: WriterKey): WriterKeyInfo {
  return {
    type: WRITER_KEY_TYPE,
    version: KEY_FORMAT_VERSION,
    authority: w.authorityId,
    schema: w.schema.dimensions.slice(),
    tenant: w.tenant,
    epoch: w.epoch,
  };
}

export function userKeyInfo(u: UserKey): UserKeyInfo {
  return {
    type: USER_KEY_TYPE,
    version: KEY_FORMAT_VERSION,
    authority: u.authorityId,
    schema: u.schema.dimensions.slice(),
    tenant: u.tenant,
    epoch: u.epoch,
    attributes: attributesToJSON(u.attributes),
    tuples: u.tuples.length,
    blindIndexFields: u.blindIndexFields.slice(),
  };
}

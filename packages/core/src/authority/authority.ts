/**
 * The authority: creating it, moving it to a new epoch, and issuing writer and user keys.
 *
 * Epochs are how revocation works: `rotateEpoch` starts epoch e+1; the authority then issues
 * writer and user keys for e+1 to everyone still entitled, headers are rewrapped from e to e+1,
 * and keys of epoch e stop opening rewrapped records (see record/rewrap.ts and
 * docs/threat-model.md for what a revoked user keeps).
 */
import { FIELD_NAME_PATTERN, MAX_BLIND_INDEX_FIELDS, MIN_EPOCH, SECRET_LENGTH } from '../format/constants.js';
import { createAttributes, type DimensionMap, type UserAttributes } from '../policy/policy.js';
import { createSchema, DEFAULT_SCHEMA, sameSchema, type PolicySchema } from '../policy/schema.js';
import { userTuples } from '../policy/tuples.js';
import { abytes, randomBytes } from '../utils.js';
import { authorityIdOf, deriveBlindIndexRoot, deriveEpochSecret, deriveFieldKey, deriveTupleKey } from './derive.js';
import { Authority, authoritySigning, checkEpoch, checkTenant, masterOf, UserKey, WriterKey } from './keys.js';
import { certificateMessage, writerSigner } from './signing.js';

export interface AuthorityOptions {
  /** Dimension names or a schema; default role, group, department. */
  schema?: PolicySchema | readonly string[];
  /** The current epoch; default 1. */
  epoch?: number;
}

function toSchema(s: PolicySchema | readonly string[] | undefined): PolicySchema {
  if (s === undefined) return DEFAULT_SCHEMA;
  return Array.isArray(s) ? createSchema(s as readonly string[]) : createSchema((s as PolicySchema).dimensions);
}

/** A new authority with a fresh random master secret. */
export function generateAuthority(options: AuthorityOptions = {}): Authority {
  return authorityFromMaster(randomBytes(SECRET_LENGTH), options);
}

/** An authority from a known 32-byte master secret (import, tests, known-answer vectors). */
export function authorityFromMaster(master: Uint8Array, options: AuthorityOptions = {}): Authority {
  abytes(master, 'master', SECRET_LENGTH);
  const epoch = checkEpoch(options.epoch ?? MIN_EPOCH);
  return new Authority(authorityIdOf(master), toSchema(options.schema), epoch, master);
}

/** The same authority at epoch + 1. The old object stays valid (for rewrap from the old epoch). */
export function rotateEpoch(authority: Authority): Authority {
  return withEpoch(authority, authority.epoch + 1);
}

/** The same authority with its current epoch set to `epoch`. */
export function withEpoch(authority: Authority, epoch: number): Authority {
  return new Authority(authority.id, authority.schema, checkEpoch(epoch), masterOf(authority));
}

export interface KeyScope {
  /** Default '' (the vector cipher's default tenant). */
  tenant?: string;
  /** Default: the authority's current epoch. Any epoch up to the current one. */
  epoch?: number;
}

function scope(authority: Authority, s: KeyScope): { tenant: string; epoch: number } {
  const tenant = checkTenant(s.tenant ?? '');
  const epoch = checkEpoch(s.epoch ?? authority.epoch);
  if (epoch > authority.epoch) {
    throw new RangeError(`"epoch" expected at most the authority's current epoch ${authority.epoch}, got ${epoch}`);
  }
  return { tenant, epoch };
}

/** The writer key of one (epoch, tenant): seals for any policy, opens the escrow for rewrap. */
export function createWriterKey(authority: Authority, options: KeyScope = {}): WriterKey {
  const { tenant, epoch } = scope(authority, options);
  const master = masterOf(authority);
  const secret = deriveEpochSecret(master, epoch, tenant);
  const root = deriveBlindIndexRoot(master, tenant);
  // The authority certifies this writer's signing key for (tenant, epoch): readers of any epoch
  // can then check a collection scheme it signed, with the authority's public key alone.
  const certificate = certify(authority, tenant, epoch, writerSigner(secret).publicKey);
  const w = new WriterKey(authority.id, authority.schema, tenant, epoch, secret, root, { authorityKey: authority.publicKey, certificate });
  secret.fill(0);
  root.fill(0);
  return w;
}

/** The authority's certificate of a writer public key for (tenant, epoch). */
function certify(authority: Authority, tenant: string, epoch: number, writerPublicKey: Uint8Array): Uint8Array {
  return authoritySigning(authority).sign(certificateMessage(authority.id, tenant, epoch, writerPublicKey));
}

export interface UserKeyOptions extends KeyScope {
  /** Payload fields this user may compute blind-index tokens for (equality filters). */
  blindIndexFields?: readonly string[];
}

/** Issues the key of a user holding `attributes`: the keys of every tuple the attributes match. */
export function issueUserKey(authority: Authority, attributes: UserAttributes | DimensionMap, options: UserKeyOptions = {}): UserKey {
  const { tenant, epoch } = scope(authority, options);
  const attrs = isAttributes(attributes) ? attributes : createAttributes(authority.schema, attributes);
  if (!sameSchema(attrs.schema, authority.schema)) throw new RangeError('"attributes" use a different schema than the authority');
  const tuples = userTuples(attrs);
  const master = masterOf(authority);
  const secret = deriveEpochSecret(master, epoch, tenant);
  const keys = tuples.map((t) => deriveTupleKey(secret, authority.schema, t));
  // The user accepts records signed by the writer of its own (epoch, tenant), and no one else.
  const writerPublicKey = writerSigner(secret).publicKey;
  secret.fill(0);
  const fields = new Map<string, Uint8Array>();
  const names = checkFieldNames(options.blindIndexFields ?? []);
  if (names.length > 0) {
    const root = deriveBlindIndexRoot(master, tenant);
    for (const f of names) fields.set(f, deriveFieldKey(root, f));
    root.fill(0);
  }
  // The writer's certificate travels with it, so the file's writer key and authority key are
  // checked against each other on import (Ed25519 is deterministic: the writer key's own bytes).
  const certificate = certify(authority, tenant, epoch, writerPublicKey);
  const u = new UserKey(authority.id, tenant, epoch, attrs, tuples, keys, fields, { authorityKey: authority.publicKey, writerPublicKey, certificate });
  for (const k of keys) k.fill(0);
  return u;
}

function isAttributes(a: unknown): a is UserAttributes {
  return typeof a === 'object' && a !== null && 'schema' in a && 'values' in a && Array.isArray((a as UserAttributes).values);
}

/** Validates blind-index field names (programmer input): pattern, count, no duplicates. */
export function checkFieldNames(fields: readonly string[], name = 'blindIndexFields'): string[] {
  if (!Array.isArray(fields)) throw new TypeError(`"${name}" expected array of strings`);
  if (fields.length > MAX_BLIND_INDEX_FIELDS) {
    throw new RangeError(`"${name}" expected at most ${MAX_BLIND_INDEX_FIELDS} fields, got ${fields.length}`);
  }
  const seen = new Set<string>();
  for (const f of fields) {
    if (typeof f !== 'string' || !FIELD_NAME_PATTERN.test(f)) {
      throw new RangeError(`"${name}" entries must match ${FIELD_NAME_PATTERN.source}, got ${JSON.stringify(f)}`);
    }
    // A plain object cannot hold this name as data (assigning it sets the prototype instead).
    if (f === '__proto__') throw new RangeError(`"${name}" cannot contain "__proto__"`);
    if (seen.has(f)) throw new RangeError(`"${name}" lists ${JSON.stringify(f)} twice`);
    seen.add(f);
  }
  return [...seen];
}

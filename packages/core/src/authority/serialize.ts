/**
 * Typed, versioned JSON for policy keys (base64url for every secret; never raw bytes):
 *
 *   { "type": "sealvec/authority",  "version": 1, "id", "schema": [..], "epoch", "master" }
 *   { "type": "sealvec/writer-key", "version": 2, "authority", "schema": [..], "tenant", "epoch",
 *     "secret", "blindIndexRoot", "authorityKey": base64url(32), "certificate": base64url(64) }
 *   { "type": "sealvec/user-key",   "version": 2, "authority", "schema": [..], "tenant", "epoch",
 *     "attributes": { dim: [values] }, "tupleKeys": base64url(32 bytes per tuple, canonical
 *     tuple order), "fields": { field: base64url(32 bytes) }, "authorityKey": base64url(32),
 *     "writerKey": base64url(32), "certificate": base64url(64) }
 *
 * Version 2 adds the signing material of format v2 (see signing.ts). Version 1 writer and user
 * keys still import: such a writer key signs records (its signing key derives from its secret)
 * but cannot create collections (no certificate), and such a user key cannot open v2 records (it
 * does not know which writer to trust). Re-issue them from the authority.
 *
 * Every import checks the type, version, shape, lengths and consistency (an authority's id must
 * match its master; a user key must hold exactly one key per tuple of its attributes; a version 2
 * key's certificate must verify under its authority key) and throws InvalidKey otherwise. Exported strings hold secrets: write them to 0600 files only.
 */
import { InvalidKey, isSealvecError } from '../errors.js';
import { SECRET_LENGTH } from '../format/constants.js';
import { attributesToJSON, createAttributes } from '../policy/policy.js';
import { schemaFromJSON, type PolicySchema } from '../policy/schema.js';
import { userTupleCount, userTuples } from '../policy/tuples.js';
import { fromBase64url, shortValue, toBase64url } from '../utils.js';
import { authorityFromMaster, checkFieldNames } from './authority.js';
import { authorityIdOf } from './derive.js';
import { Authority, checkEpoch, checkTenant, masterOf, userSecrets, UserKey, WriterKey, writerSecrets } from './keys.js';
import { AuthorityPublicKey, ED25519_PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, verifyWriterCertificate, writerSigner } from './signing.js';

export const AUTHORITY_TYPE = 'sealvec/authority';
export const WRITER_KEY_TYPE = 'sealvec/writer-key';
export const USER_KEY_TYPE = 'sealvec/user-key';
/** The authority file's format (unchanged by v2: the signing key derives from the master). */
export const KEY_FORMAT_VERSION = 1;
/** Writer and user key files written today; version 1 still imports. */
export const SIGNED_KEY_FORMAT_VERSION = 2;
/** Serialized keys larger than this are refused before parsing (a 4096-tuple user key is ~180 KB). */
export const MAX_SERIALIZED_KEY_LENGTH = 1_048_576;

export function exportAuthority(a: Authority): string {
  return JSON.stringify(
    { type: AUTHORITY_TYPE, version: KEY_FORMAT_VERSION, id: a.id, schema: a.schema.dimensions, epoch: a.epoch, master: toBase64url(masterOf(a)) },
    null,
    2,
  );
}

export function exportWriterKey(w: WriterKey): string {
  const s = writerSecrets(w);
  return JSON.stringify(
    {
      type: WRITER_KEY_TYPE,
      version: w.authorityKey === null ? KEY_FORMAT_VERSION : SIGNED_KEY_FORMAT_VERSION,
      authority: w.authorityId,
      schema: w.schema.dimensions,
      tenant: w.tenant,
      epoch: w.epoch,
      secret: toBase64url(s.epochSecret),
      blindIndexRoot: toBase64url(s.blindIndexRoot),
      ...(w.authorityKey !== null && s.certificate !== null
        ? { authorityKey: toBase64url(w.authorityKey.publicKey), certificate: toBase64url(s.certificate) }
        : {}),
    },
    null,
    2,
  );
}

export function exportUserKey(u: UserKey): string {
  const s = userSecrets(u);
  const all = new Uint8Array(s.tupleKeys.length * SECRET_LENGTH);
  s.tupleKeys.forEach((k, i) => all.set(k, i * SECRET_LENGTH));
  const fields: Record<string, string> = {};
  for (const [f, k] of [...s.fields].sort(([a], [b]) => (a < b ? -1 : 1))) fields[f] = toBase64url(k);
  const out = JSON.stringify(
    {
      type: USER_KEY_TYPE,
      version: u.authorityKey === null ? KEY_FORMAT_VERSION : SIGNED_KEY_FORMAT_VERSION,
      authority: u.authorityId,
      schema: u.schema.dimensions,
      tenant: u.tenant,
      epoch: u.epoch,
      attributes: attributesToJSON(u.attributes),
      tupleKeys: toBase64url(all),
      fields,
      ...(u.authorityKey !== null && s.writerPublicKey !== null && s.certificate !== null
        ? { authorityKey: toBase64url(u.authorityKey.publicKey), writerKey: toBase64url(s.writerPublicKey), certificate: toBase64url(s.certificate) }
        : {}),
    },
    null,
    2,
  );
  all.fill(0);
  return out;
}

// ---- Import ------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

/**
 * Parses a key file's JSON. Errors never carry the parser's message or a cause: a JSON syntax
 * error quotes the text around the fault, which in a key file is secret material.
 */
function parseTyped(text: unknown, type: string, versions: Record<number, readonly string[]>): Obj {
  if (typeof text !== 'string') throw new TypeError('"serialized" expected string');
  if (text.length > MAX_SERIALIZED_KEY_LENGTH) throw new InvalidKey(`serialized key is longer than ${MAX_SERIALIZED_KEY_LENGTH} characters`);
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new InvalidKey('serialized key is not valid JSON');
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new InvalidKey('serialized key must be a JSON object');
  const o = j as Obj;
  if (o.type !== type) throw new InvalidKey(`not a ${type} (its type is ${shortValue(o.type)})`);
  const keys = typeof o.version === 'number' ? versions[o.version] : undefined;
  if (keys === undefined) throw new InvalidKey(`unsupported ${type} version ${shortValue(o.version)}`);
  for (const k of Object.keys(o)) {
    if (k !== 'type' && k !== 'version' && !keys.includes(k)) throw new InvalidKey(`${type} has an unknown field ${JSON.stringify(k.slice(0, 40))}`);
  }
  for (const k of keys) if (!(k in o) && k !== 'fields') throw new InvalidKey(`${type} is missing the field ${JSON.stringify(k)}`);
  return o;
}

/**
 * Runs `f`, turning any data error it raises (and RangeError/TypeError from checks) into
 * InvalidKey with the check's own message, and no cause (see parseTyped).
 */
function asKeyError<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InvalidKey) throw e;
    if (isSealvecError(e) || e instanceof RangeError || e instanceof TypeError) {
      throw new InvalidKey(`${what}: ${(e as Error).message}`);
    }
    throw e;
  }
}

/** A public 32-byte key (Ed25519) or 64-byte signature field. */
function publicField(o: Obj, field: string, length: number): Uint8Array {
  const v = o[field];
  if (typeof v !== 'string') throw new InvalidKey(`"${field}" must be a base64url string`);
  const b = fromBase64url(v, field);
  if (b.length !== length) throw new InvalidKey(`"${field}" must hold ${length} bytes, got ${b.length}`);
  return b;
}

function secretField(o: Obj, field: string, length: number): Uint8Array {
  const v = o[field];
  if (typeof v !== 'string') throw new InvalidKey(`"${field}" must be a base64url string`);
  const b = fromBase64url(v, field);
  if (b.length !== length) throw new InvalidKey(`"${field}" must hold ${length} bytes, got ${b.length}`);
  return b;
}

function schemaField(o: Obj): PolicySchema {
  return schemaFromJSON(o.schema);
}

export function importAuthority(text: string): Authority {
  const o = parseTyped(text, AUTHORITY_TYPE, { 1: ['id', 'schema', 'epoch', 'master'] });
  return asKeyError('authority', () => {
    const master = secretField(o, 'master', SECRET_LENGTH);
    if (o.id !== authorityIdOf(master)) throw new InvalidKey('authority id does not match its master secret');
    const a = authorityFromMaster(master, { schema: schemaField(o), epoch: checkEpoch(o.epoch) });
    master.fill(0);
    return a;
  });
}

export function importWriterKey(text: string): WriterKey {
  const v1 = ['authority', 'schema', 'tenant', 'epoch', 'secret', 'blindIndexRoot'];
  const o = parseTyped(text, WRITER_KEY_TYPE, { 1: v1, 2: [...v1, 'authorityKey', 'certificate'] });
  return asKeyError('writer key', () => {
    if (typeof o.authority !== 'string' || !/^[0-9a-f]{16}$/.test(o.authority)) throw new InvalidKey('"authority" must be a 16-hex-digit id');
    const secret = secretField(o, 'secret', SECRET_LENGTH);
    const root = secretField(o, 'blindIndexRoot', SECRET_LENGTH);
    const tenant = checkTenant(o.tenant);
    const epoch = checkEpoch(o.epoch);
    let certified: { authorityKey: AuthorityPublicKey; certificate: Uint8Array } | null = null;
    if (o.version === SIGNED_KEY_FORMAT_VERSION) {
      const authorityKey = new AuthorityPublicKey(o.authority, publicField(o, 'authorityKey', ED25519_PUBLIC_KEY_LENGTH));
      const certificate = publicField(o, 'certificate', SIGNATURE_LENGTH);
      // A certificate that does not verify for this key's own signing key is a broken file.
      if (!verifyWriterCertificate(authorityKey, tenant, epoch, writerSigner(secret).publicKey, certificate)) {
        throw new InvalidKey('the writer key certificate does not verify');
      }
      certified = { authorityKey, certificate };
    }
    const w = new WriterKey(o.authority, schemaField(o), tenant, epoch, secret, root, certified);
    secret.fill(0);
    root.fill(0);
    return w;
  });
}

export function importUserKey(text: string): UserKey {
  const v1 = ['authority', 'schema', 'tenant', 'epoch', 'attributes', 'tupleKeys', 'fields'];
  const o = parseTyped(text, USER_KEY_TYPE, { 1: v1, 2: [...v1, 'authorityKey', 'writerKey', 'certificate'] });
  return asKeyError('user key', () => {
    if (typeof o.authority !== 'string' || !/^[0-9a-f]{16}$/.test(o.authority)) throw new InvalidKey('"authority" must be a 16-hex-digit id');
    const schema = schemaField(o);
    const attributes = createAttributes(schema, o.attributes as Record<string, string[]>);
    // Checked before decoding the keys so a huge attribute list costs nothing.
    const n = userTupleCount(attributes);
    const tuples = userTuples(attributes);
    if (typeof o.tupleKeys !== 'string') throw new InvalidKey('"tupleKeys" must be a base64url string');
    const all = fromBase64url(o.tupleKeys, 'tupleKeys');
    if (all.length !== n * SECRET_LENGTH) throw new InvalidKey(`"tupleKeys" must hold ${n} keys of ${SECRET_LENGTH} bytes`);
    const keys = tuples.map((_, i) => all.subarray(i * SECRET_LENGTH, (i + 1) * SECRET_LENGTH));
    const f = o.fields ?? {};
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new InvalidKey('"fields" must be an object');
    const names = checkFieldNames(Object.keys(f), 'fields');
    const fields = new Map<string, Uint8Array>();
    for (const name of names) fields.set(name, secretField(f as Obj, name, SECRET_LENGTH));
    const tenant = checkTenant(o.tenant);
    const epoch = checkEpoch(o.epoch);
    let signing: { authorityKey: AuthorityPublicKey; writerPublicKey: Uint8Array; certificate: Uint8Array } | null = null;
    if (o.version === SIGNED_KEY_FORMAT_VERSION) {
      const authorityKey = new AuthorityPublicKey(o.authority, publicField(o, 'authorityKey', ED25519_PUBLIC_KEY_LENGTH));
      const writerPublicKey = publicField(o, 'writerKey', ED25519_PUBLIC_KEY_LENGTH);
      const certificate = publicField(o, 'certificate', SIGNATURE_LENGTH);
      // The writer this key trusts must be one its authority certified for the key's own (tenant,
      // epoch): a file assembled from the fields of different keys is broken.
      if (!verifyWriterCertificate(authorityKey, tenant, epoch, writerPublicKey, certificate)) {
        throw new InvalidKey('the writer certificate does not verify under the key\'s authority key for its tenant and epoch');
      }
      signing = { authorityKey, writerPublicKey, certificate };
    }
    const u = new UserKey(o.authority, tenant, epoch, attributes, tuples, keys, fields, signing);
    all.fill(0);
    return u;
  });
}

/**
 * The scheme of a collection (or of a sealed file): the parameters every client must agree on to
 * write and read it, signed by the writer that created it.
 *
 * Why signed: the scheme lives in the store (Qdrant collection metadata), and it steers the client:
 * a store that lowers beta reads every new record and query almost exactly; one that switches
 * pre-filter tokens or blind indexes on learns what the owner chose not to reveal. So the creating
 * writer signs every field, bound to the collection name and its authority, and carries the
 * authority's certificate of its signing key (authority/signing.ts); a client verifies both with
 * the authority's public key, which it holds from its own key (never from the store), and refuses
 * anything else with SchemeUnauthenticated.
 *
 *   signature = Sign_W(lp("sealvec/v2/scheme", collection, dimension, metric, f64(beta),
 *                 preset | "", f64(scale) | "", f64(maxNorm) | "", authority id, prefilter,
 *                 #fields, fields..., exactVector, #legacyKids, legacyKids...,
 *                 creator tenant, creator epoch, W.pub))
 *
 * Format v1 schemes (metadata `sealvec: 1`) carry no signature: they parse as `version: 1`, and a
 * client reads them only when told to explicitly (SealedCollection's `acceptUnauthenticatedV1`).
 */
import { AuthorityPublicKey, verifyWriterCertificate } from '../authority/signing.js';
import { writerCertificate, writerSigning, type WriterKey } from '../authority/keys.js';
import { primitives } from '#primitives';
import { InvalidKey, Malformed, SchemeMismatch, SchemeUnauthenticated, WeakScheme } from '../errors.js';
import { FIELD_NAME_PATTERN, KID_PATTERN, MAX_BLIND_INDEX_FIELDS, MAX_COLLECTION_BYTES, MAX_EPOCH, MAX_TENANT_BYTES, MIN_EPOCH } from '../format/constants.js';
import { lp } from '../format/lp.js';
import { fromBase64url, isWellFormed, shortValue, toBase64url, utf8Length } from '../utils.js';
import { MAX_DIMENSION } from '../vector/cipher.js';
import { isMetric, storedDimensionOf, type Metric } from '../vector/metric.js';
import { BETA_FLOOR, isPresetName } from '../vector/presets.js';

/** Metadata key and value that mark a signed (v2) scheme; v1 schemes have `sealvec: 1`. */
export const SCHEME_VERSION = 2;
/** At most this many legacy (format v1) key ids during a migration. */
export const MAX_LEGACY_KIDS = 16;

export interface SchemeFields {
  /** The collection (or sealed file's collection) the scheme belongs to. */
  collection: string;
  dimension: number;
  metric: Metric;
  /** Absolute beta used by every cipher of this collection. */
  beta: number;
  /** The preset the beta came from, when one was used. */
  preset: string | null;
  /** The data's typical norm the beta (euclid) and the cipher's offset were set against; null for cosine and dot. */
  scale: number | null;
  /** Dot metric only. */
  maxNorm: number | null;
  /** Id of the authority whose writer and user keys seal and open the records. */
  authority: string;
  /** Records carry pre-filter tokens (`pf`). */
  prefilter: boolean;
  /** Payload fields with blind-index tokens (`bi.<field>`). */
  blindIndexFields: string[];
  /** Records carry the sealed exact vector (`x`). */
  exactVector: boolean;
  /** Vector key ids whose records are still format v1 (a migration in progress); [] otherwise. */
  legacyKids: string[];
}

export interface SignedScheme extends SchemeFields {
  version: 2;
  /** The writer that signed: its (tenant, epoch), public key and the authority's certificate. */
  creator: { tenant: string; epoch: number; publicKey: Uint8Array; certificate: Uint8Array };
  signature: Uint8Array;
}

/** A format v1 scheme: the same fields, unauthenticated. */
export interface LegacyScheme extends SchemeFields {
  version: 1;
}

export type Scheme = SignedScheme | LegacyScheme;

export function storedDimensionOfScheme(s: SchemeFields): number {
  return storedDimensionOf(s.metric, s.dimension);
}

/** beta relative to the data's scale (1 for cosine, maxNorm for dot, scale for euclid). */
export function relativeBeta(s: SchemeFields): number | null {
  if (s.metric === 'cosine') return s.beta;
  const unit = s.metric === 'dot' ? s.maxNorm : s.scale;
  return unit === null || !(unit > 0) ? null : s.beta / unit;
}

/**
 * Refuses a scheme whose relative beta is below `floor` (WeakScheme). The floor is the client's
 * own choice (default BETA_FLOOR, the smallest preset): it never comes from the store.
 */
export function checkBetaFloor(s: SchemeFields, floor = BETA_FLOOR): void {
  if (typeof floor !== 'number' || !Number.isFinite(floor) || floor < 0) throw new TypeError('"betaFloor" expected a non-negative number');
  if (floor === 0) return;
  const rel = relativeBeta(s);
  if (rel === null) {
    throw new WeakScheme(`collection "${s.collection}" does not say the scale its beta is relative to; open it with an explicit betaFloor: 0 if you trust it`);
  }
  if (rel < floor) {
    throw new WeakScheme(
      `collection "${s.collection}" uses relative beta ${rel}, below this client's floor ${floor}; open it with an explicit lower betaFloor only if you accept that`,
    );
  }
}

function f64(v: number | null): Uint8Array | string {
  if (v === null) return '';
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, false);
  return b;
}

/** The bytes the creator signs. */
export function schemeMessage(s: SchemeFields, creator: { tenant: string; epoch: number; publicKey: Uint8Array }): Uint8Array {
  return lp(
    'sealvec/v2/scheme',
    s.collection,
    String(s.dimension),
    s.metric,
    f64(s.beta),
    s.preset ?? '',
    f64(s.scale),
    f64(s.maxNorm),
    s.authority,
    s.prefilter ? '1' : '0',
    String(s.blindIndexFields.length),
    ...s.blindIndexFields,
    s.exactVector ? '1' : '0',
    String(s.legacyKids.length),
    ...s.legacyKids,
    creator.tenant,
    String(creator.epoch),
    creator.publicKey,
  );
}

/** Validates the fields (programmer input on create; store input on parse). */
export function checkSchemeFields(s: SchemeFields, bad: (what: string) => Error = (w) => new TypeError(w)): SchemeFields {
  if (typeof s.collection !== 'string' || !isWellFormed(s.collection) || utf8Length(s.collection) > MAX_COLLECTION_BYTES) throw bad('"collection" must be a well-formed string');
  if (!Number.isSafeInteger(s.dimension) || s.dimension < 1 || s.dimension > MAX_DIMENSION) throw bad(`"dimension" must be an integer in [1, ${MAX_DIMENSION}]`);
  if (!isMetric(s.metric)) throw bad('"metric" must be cosine, euclid or dot');
  const num = (v: unknown, k: string, positive: boolean) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (positive && v === 0)) throw bad(`"${k}" must be a ${positive ? 'positive' : 'non-negative'} number`);
  };
  num(s.beta, 'beta', false);
  if (s.preset !== null && (typeof s.preset !== 'string' || !isPresetName(s.preset))) throw bad('"preset" must be a preset name or null');
  if (s.metric === 'dot') {
    if (s.maxNorm === null) throw bad('"maxNorm" is required for the dot metric');
    num(s.maxNorm, 'maxNorm', true);
  } else if (s.maxNorm !== null) throw bad('"maxNorm" is only for the dot metric');
  if (s.scale !== null) num(s.scale, 'scale', true);
  if (typeof s.authority !== 'string' || !/^[0-9a-f]{16}$/.test(s.authority)) throw bad('"authority" must be a 16-hex-digit authority id');
  if (typeof s.prefilter !== 'boolean' || typeof s.exactVector !== 'boolean') throw bad('"prefilter" and "exactVector" must be booleans');
  if (!Array.isArray(s.blindIndexFields) || s.blindIndexFields.length > MAX_BLIND_INDEX_FIELDS) throw bad('"blindIndexFields" must be a short array');
  const seen = new Set<string>();
  for (const f of s.blindIndexFields) {
    if (typeof f !== 'string' || !FIELD_NAME_PATTERN.test(f) || f === '__proto__' || seen.has(f)) throw bad('"blindIndexFields" must be distinct field names');
    seen.add(f);
  }
  if (!Array.isArray(s.legacyKids) || s.legacyKids.length > MAX_LEGACY_KIDS || !s.legacyKids.every((k) => typeof k === 'string' && KID_PATTERN.test(k))) {
    throw bad('"legacyKids" must be a short array of key ids');
  }
  return s;
}

/**
 * Signs `fields` as `writer`, which must carry the authority's certificate (a format v2 writer
 * key: `createWriterKey` or an imported v2 key file).
 */
export function signScheme(fields: SchemeFields, writer: WriterKey): SignedScheme {
  if (typeof writer !== 'object' || writer === null || writer.kind !== 'writer') throw new TypeError('"writer" expected a WriterKey');
  checkSchemeFields(fields);
  if (fields.authority !== writer.authorityId) throw new SchemeMismatch(`the writer belongs to authority ${writer.authorityId}, the scheme to ${fields.authority}`);
  const certificate = writerCertificate(writer);
  if (certificate === null || writer.authorityKey === null) {
    throw new InvalidKey('this writer key carries no certificate from its authority (key format v1): issue it again to create collections');
  }
  const signer = writerSigning(writer);
  const creator = { tenant: writer.tenant, epoch: writer.epoch, publicKey: Uint8Array.from(signer.publicKey) };
  const s: SchemeFields = { ...fields, blindIndexFields: [...fields.blindIndexFields], legacyKids: [...fields.legacyKids] };
  return { ...s, version: 2, creator: { ...creator, certificate: Uint8Array.from(certificate) }, signature: signer.sign(schemeMessage(s, creator)) };
}

/**
 * Verifies a signed scheme for `collection` against the authority's public key: the scheme names
 * this collection and authority, the creator's key is certified by the authority for its (tenant,
 * epoch), and the signature covers every field. Throws SchemeUnauthenticated otherwise.
 */
export function verifyScheme(s: SignedScheme, collection: string, trust: AuthorityPublicKey): void {
  if (!(trust instanceof AuthorityPublicKey)) throw new TypeError('"authority" expected an AuthorityPublicKey (from a UserKey or WriterKey: key.authorityKey)');
  const fail = (why: string) => new SchemeUnauthenticated(`the scheme of "${collection}" ${why}; it was changed in the store or made by another authority`);
  if (s.collection !== collection) throw fail(`is signed for "${s.collection}"`);
  if (s.authority !== trust.id) throw fail(`names authority ${s.authority}, not ${trust.id}`);
  const c = s.creator;
  if (!verifyWriterCertificate(trust, c.tenant, c.epoch, c.publicKey, c.certificate)) throw fail('carries no valid writer certificate');
  if (!primitives.ed25519Verifier(c.publicKey).verify(schemeMessage(s, c), s.signature)) throw fail('has no valid signature');
}

// ---- JSON (collection metadata, sealed-file header line) ------------------------------------------

export function schemeToJSON(s: SignedScheme): Record<string, unknown> {
  return {
    sealvec: SCHEME_VERSION,
    collection: s.collection,
    dimension: s.dimension,
    storedDimension: storedDimensionOfScheme(s),
    metric: s.metric,
    beta: s.beta,
    preset: s.preset,
    scale: s.scale,
    maxNorm: s.maxNorm,
    authority: s.authority,
    prefilter: s.prefilter,
    blindIndexFields: [...s.blindIndexFields],
    exactVector: s.exactVector,
    legacyKids: [...s.legacyKids],
    creator: { tenant: s.creator.tenant, epoch: s.creator.epoch, publicKey: toBase64url(s.creator.publicKey), certificate: toBase64url(s.creator.certificate) },
    signature: toBase64url(s.signature),
  };
}

/**
 * Parses scheme metadata read from the store (hostile input). `collection` is the name the
 * client asked for (v1 schemes did not record it). Throws SchemeMismatch when it is not sealvec
 * metadata at all or of an unknown version, Malformed for a bad shape. Parsing authenticates
 * nothing: call verifyScheme on a `version: 2` result before using any field.
 */
export function parseScheme(collection: string, raw: unknown): Scheme {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SchemeMismatch(`collection "${collection}" has no sealvec scheme`);
  const o = raw as Record<string, unknown>;
  const bad = (what: string) => new Malformed(`collection "${collection}" has invalid sealvec metadata: ${what}`);
  if (o.sealvec === undefined) throw new SchemeMismatch(`collection "${collection}" was not created by sealvec (no scheme metadata)`);
  if (o.sealvec !== 1 && o.sealvec !== SCHEME_VERSION) {
    throw new SchemeMismatch(`collection "${collection}" uses sealvec scheme version ${shortValue(o.sealvec)}, this build reads 1 and ${SCHEME_VERSION}`);
  }
  const nullableNumber = (k: string) => {
    const v = o[k];
    return v === null || v === undefined ? null : (v as number);
  };
  const fields: SchemeFields = {
    collection: o.sealvec === 1 ? collection : (o.collection as string),
    dimension: o.dimension as number,
    metric: o.metric as Metric,
    beta: o.beta as number,
    preset: typeof o.preset === 'string' ? o.preset : null,
    scale: o.sealvec === 1 ? null : nullableNumber('scale'),
    maxNorm: nullableNumber('maxNorm'),
    authority: o.authority as string,
    prefilter: o.prefilter as boolean,
    blindIndexFields: o.blindIndexFields as string[],
    exactVector: o.exactVector as boolean,
    legacyKids: o.sealvec === 1 ? [] : (o.legacyKids as string[]),
  };
  // v1 allowed a preset string we no longer know: keep the shape check, drop the name.
  if (o.sealvec === 1 && fields.preset !== null && !isPresetName(fields.preset)) fields.preset = null;
  // A v2 signature covers null as '': reading any other non-string as null would let the store
  // put anything there unnoticed.
  if (o.sealvec !== 1 && o.preset !== null && typeof o.preset !== 'string') throw bad('"preset" must be a preset name or null');
  checkSchemeFields(fields, bad);
  if (typeof o.storedDimension === 'number' && o.storedDimension !== storedDimensionOfScheme(fields)) throw bad('"storedDimension" does not match the metric');
  if (o.sealvec === 1) return { ...fields, version: 1 };
  const c = o.creator;
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw bad('"creator" must be an object');
  const cr = c as Record<string, unknown>;
  if (typeof cr.tenant !== 'string' || !isWellFormed(cr.tenant) || utf8Length(cr.tenant) > MAX_TENANT_BYTES) throw bad('"creator.tenant" must be a string');
  if (typeof cr.epoch !== 'number' || !Number.isSafeInteger(cr.epoch) || cr.epoch < MIN_EPOCH || cr.epoch > MAX_EPOCH) throw bad('"creator.epoch" must be an epoch');
  const b64 = (v: unknown, what: string, n: number) => {
    if (typeof v !== 'string' || v.length > 200) throw bad(`"${what}" must be base64url`);
    const b = fromBase64url(v, what);
    if (b.length !== n) throw bad(`"${what}" must hold ${n} bytes`);
    return b;
  };
  return {
    ...fields,
    version: 2,
    creator: { tenant: cr.tenant, epoch: cr.epoch, publicKey: b64(cr.publicKey, 'creator.publicKey', 32), certificate: b64(cr.certificate, 'creator.certificate', 64) },
    signature: b64(o.signature, 'signature', 64),
  };
}

/**
 * The encryption scheme of a sealed file or collection: everything a reader must agree on with
 * the writer, and nothing secret. It is core's scheme (signed by the writer that made it, see
 * @sealvec/core scheme/scheme.ts), so a sealed file can be ingested into a collection with the
 * same scheme and vice versa.
 */
import {
  betaForPreset,
  checkBetaFloor,
  createVectorCipher,
  DEFAULT_PRESET,
  InvalidKey,
  isMetric,
  isPresetName,
  METRICS,
  parseScheme,
  relativeBeta,
  SchemeMismatch,
  SchemeUnauthenticated,
  schemeToJSON,
  storedDimensionOfScheme,
  verifyScheme,
  type AuthorityPublicKey,
  type Metric,
  type PresetName,
  type Scheme,
  type SchemeFields,
  type VectorCipher,
  type VectorKey,
} from '@sealvec/core';
import type { Backend } from '@sealvec/qdrant';
import { UsageError } from './errors.js';

export type { Scheme, SchemeFields };

export const DEFAULT_COLLECTION = 'default';

/** What the user asked for on the command line, before the data is seen. */
export interface SchemeRequest {
  metric: Metric;
  preset: PresetName | undefined;
  beta: number | undefined;
  /** Euclid: the data's typical norm (measured from the first batch when absent). */
  scale: number | undefined;
  maxNorm: number | undefined;
  prefilter: boolean;
  blindIndexFields: string[];
  exactVector: boolean;
}

export function parseMetric(v: string): Metric {
  if (!isMetric(v)) throw new UsageError(`--metric expected one of ${METRICS.join(', ')}, got ${JSON.stringify(v)}`);
  return v;
}

export function parsePreset(v: string): PresetName {
  if (!isPresetName(v)) throw new UsageError(`--preset expected fast, balanced or private, got ${JSON.stringify(v)}`);
  return v;
}

/** Median of the norms of some vectors (the scale of a euclid scheme). */
export function medianNorm(vectors: readonly Float32Array[]): number {
  const norms = vectors.map((v) => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
    return Math.sqrt(s);
  });
  norms.sort((a, b) => a - b);
  const n = norms.length;
  if (n === 0) return 1;
  return n % 2 === 1 ? norms[(n - 1) / 2]! : (norms[n / 2 - 1]! + norms[n / 2]!) / 2;
}

export function storedDimension(scheme: SchemeFields): number {
  return storedDimensionOfScheme(scheme);
}

/**
 * Fixes the scheme's fields once the dimension (and, for euclid, a sample of the data) is known.
 * The caller signs them with its writer key (signScheme) before writing them anywhere.
 */
export function resolveScheme(req: SchemeRequest, dimension: number, collection: string, authority: string, sample: readonly Float32Array[]): SchemeFields {
  const metric = req.metric;
  if (metric === 'dot' && req.maxNorm === undefined) {
    throw new UsageError('--max-norm is required with --metric dot (the largest norm any record will have)');
  }
  const scale = metric === 'euclid' ? (req.scale ?? medianNorm(sample)) : null;
  let preset: PresetName | null = null;
  let beta: number;
  if (req.beta !== undefined) beta = req.beta;
  else {
    preset = req.preset ?? DEFAULT_PRESET;
    beta = betaForPreset(preset, metric, metric === 'dot' ? req.maxNorm : (scale ?? undefined));
  }
  const fields: SchemeFields = {
    collection,
    dimension,
    metric,
    beta,
    preset,
    scale,
    maxNorm: metric === 'dot' ? req.maxNorm! : null,
    authority,
    prefilter: req.prefilter,
    blindIndexFields: req.blindIndexFields.slice(),
    exactVector: req.exactVector,
    legacyKids: [],
  };
  return fields;
}

/**
 * A sealed file's scheme as a client may use it: signed and verified against the authority's
 * public key (from the caller's own key), within the beta floor. A format v1 file (unsigned
 * scheme) only when `allowV1` (then `warn` says so).
 */
export function trustFileScheme(
  scheme: Scheme,
  where: string,
  authorityKey: AuthorityPublicKey | null,
  options: { allowV1: boolean; warn?: (line: string) => void; betaFloor?: number },
): Scheme {
  if (scheme.version === 2) {
    if (authorityKey === null) throw new InvalidKey(`${where}: this key predates writer signatures (key format v1) and carries no authority public key to verify the file's scheme; issue it again`);
    verifyScheme(scheme, scheme.collection, authorityKey);
  } else {
    if (!options.allowV1) {
      throw new SchemeUnauthenticated(`${where} is a format v1 sealed file, whose scheme is not signed; migrate it with "sealvec rotate" (or pass --allow-v1 to read it as it is)`);
    }
    if (authorityKey !== null && scheme.authority !== authorityKey.id) {
      throw new SchemeMismatch(`${where} is sealed for authority ${scheme.authority}, not ${authorityKey.id}`);
    }
    // A v1 euclid scheme never recorded the data's scale, so no floor can be checked on its beta.
    // Reading it encrypts nothing under that beta; a migration checks its new scheme instead.
    const unchecked = relativeBeta(scheme) === null;
    options.warn?.(`warning: ${where} is a format v1 sealed file: its scheme is not authenticated${unchecked ? V1_BETA_UNCHECKED : ''}`);
    if (unchecked) return scheme;
  }
  checkBetaFloor(scheme, options.betaFloor);
  return scheme;
}

const V1_BETA_UNCHECKED = ", and its beta cannot be checked against this client's floor (v1 did not record the data's scale)";

/**
 * How to open a collection with SealedCollection.open given --allow-v1. A format v1 collection
 * (unsigned scheme) is refused without it, in the CLI's words; with it, it is opened with a
 * warning, and a v1 euclid scheme (which never recorded the data's scale, so no floor can be
 * checked on its beta) with the floor off: --allow-v1 accepts the v1 scheme as the store holds it.
 */
export async function collectionTrust(
  backend: Backend,
  name: string,
  allowV1: boolean,
  warn: (line: string) => void,
): Promise<{ acceptUnauthenticatedV1: boolean; betaFloor?: number }> {
  const desc = await backend.describe(name);
  if (desc === null || desc.metadata.sealvec !== 1) return { acceptUnauthenticatedV1: false };
  if (!allowV1) {
    throw new SchemeUnauthenticated(
      `collection "${name}" is format v1: its scheme is not signed, so the store could have changed it; pass --allow-v1 to read it, and migrate it with "sealvec rotate --allow-v1"`,
    );
  }
  const unchecked = relativeBeta(parseScheme(name, desc.metadata)) === null;
  warn(`warning: collection "${name}" is format v1: its scheme is not authenticated${unchecked ? V1_BETA_UNCHECKED : ''}`);
  return { acceptUnauthenticatedV1: true, ...(unchecked ? { betaFloor: 0 } : {}) };
}

/** A scheme as JSON output shows it (byte fields in base64url; v1 schemes as they were stored). */
export function schemeForJson(s: Scheme): Record<string, unknown> {
  if (s.version === 2) return schemeToJSON(s);
  const { version: _v, legacyKids: _l, scale: _s, ...rest } = s;
  void _v;
  void _l;
  void _s;
  return { sealvec: 1, ...rest, storedDimension: storedDimensionOfScheme(s), authenticated: false };
}

export function cipherFor(key: VectorKey, scheme: Scheme, tenant: string): VectorCipher {
  const version = scheme.version === 1 || scheme.legacyKids.includes(key.kid) ? 1 : 2;
  return createVectorCipher(key, {
    version,
    dimension: scheme.dimension,
    metric: scheme.metric,
    beta: scheme.beta,
    tenant,
    ...(version === 2 ? { collection: scheme.collection } : {}),
    ...(scheme.maxNorm !== null ? { maxNorm: scheme.maxNorm } : {}),
    ...(scheme.scale !== null ? { scale: scheme.scale } : {}),
  });
}

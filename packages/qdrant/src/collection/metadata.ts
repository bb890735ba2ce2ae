/**
 * The scheme description stored with a collection (no secrets): what a client must agree on to
 * read and write it. Opening a collection with a different dimension, metric or authority fails
 * with SchemeMismatch instead of silently returning nothing.
 */
import { Malformed, SchemeMismatch, isMetric, type Metric } from '@sealvec/core';

export const SCHEME_VERSION = 1;

export interface SchemeMetadata {
  sealvec: typeof SCHEME_VERSION;
  dimension: number;
  storedDimension: number;
  metric: Metric;
  /** Absolute beta used by every cipher of this collection. */
  beta: number;
  /** The preset the beta came from, when one was used. */
  preset: string | null;
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
}

export function toBackendMetadata(m: SchemeMetadata): Record<string, unknown> {
  return { ...m };
}

export function parseMetadata(name: string, raw: Record<string, unknown>): SchemeMetadata {
  const bad = (what: string) => new Malformed(`collection "${name}" has invalid sealvec metadata: ${what}`);
  if (raw.sealvec === undefined) throw new SchemeMismatch(`collection "${name}" was not created by sealvec (no scheme metadata)`);
  if (raw.sealvec !== SCHEME_VERSION) throw new SchemeMismatch(`collection "${name}" uses sealvec scheme version ${String(raw.sealvec)}, this build reads ${SCHEME_VERSION}`);
  const int = (k: string) => {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw bad(`"${k}" must be a positive integer`);
    return v;
  };
  const num = (k: string) => {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`"${k}" must be a non-negative number`);
    return v;
  };
  if (!isMetric(raw.metric)) throw bad('"metric" must be cosine, euclid or dot');
  if (typeof raw.authority !== 'string') throw bad('"authority" must be a string');
  if (typeof raw.prefilter !== 'boolean' || typeof raw.exactVector !== 'boolean') throw bad('"prefilter" and "exactVector" must be booleans');
  if (!Array.isArray(raw.blindIndexFields) || !raw.blindIndexFields.every((f) => typeof f === 'string')) throw bad('"blindIndexFields" must be strings');
  const maxNorm = raw.maxNorm === null || raw.maxNorm === undefined ? null : num('maxNorm');
  if (raw.metric === 'dot' && maxNorm === null) throw bad('"maxNorm" is required for dot');
  return {
    sealvec: SCHEME_VERSION,
    dimension: int('dimension'),
    storedDimension: int('storedDimension'),
    metric: raw.metric,
    beta: num('beta'),
    preset: typeof raw.preset === 'string' ? raw.preset : null,
    maxNorm,
    authority: raw.authority,
    prefilter: raw.prefilter,
    blindIndexFields: raw.blindIndexFields as string[],
    exactVector: raw.exactVector,
  };
}

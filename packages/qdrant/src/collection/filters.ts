/**
 * The database filters a SealedCollection sends. Pure: they map keys and options to backend
 * filter objects, and are the only place that knows the stored field names.
 *
 * Every filter is a performance pre-filter, never the access boundary: Qdrant is not trusted to
 * enforce access (it dropped payload-level JWT restrictions in 1.16); `open` on the client is.
 */
import type { Condition, Filter } from '../backend/types.js';

/** Stored payload fields the collection filters on (see docs/format.md). */
export const FIELDS = {
  tenant: 'tnt',
  kid: 'kid',
  epoch: 'ep',
  prefilter: 'pf',
  blindIndex: (field: string) => `bi.${field}`,
} as const;

export function tenantCondition(tenant: string): Condition {
  return { key: FIELDS.tenant, match: { value: tenant } };
}

export interface CandidateFilterInput {
  tenant: string;
  kid: string;
  /** The user's pre-filter tokens; omitted in post-filter mode. */
  prefilterTokens?: readonly string[];
  /** Blind-index tokens that must match, per field. */
  blindIndex?: Readonly<Record<string, string>>;
  /** Extra conditions from the caller (e.g. on their own plaintext payload fields). */
  extra?: Filter;
}

export function candidateFilter(input: CandidateFilterInput): Filter {
  const must: Condition[] = [tenantCondition(input.tenant), { key: FIELDS.kid, match: { value: input.kid } }];
  if (input.prefilterTokens !== undefined) must.push({ key: FIELDS.prefilter, match: { any: [...input.prefilterTokens] } });
  for (const [field, token] of Object.entries(input.blindIndex ?? {})) {
    must.push({ key: FIELDS.blindIndex(field), match: { value: token } });
  }
  if (input.extra !== undefined) must.push(input.extra);
  return { must };
}

/** Records of one tenant at one epoch (rewrap's work list; `ep` has an integer index). */
export function epochFilter(tenant: string, epoch: number): Filter {
  return { must: [tenantCondition(tenant), { key: FIELDS.epoch, match: { value: epoch } }] };
}

/** Records of one tenant not under key `kid` (rotateKey's work list). */
export function notKidFilter(tenant: string, kid: string): Filter {
  return { must: [tenantCondition(tenant)], must_not: [{ key: FIELDS.kid, match: { value: kid } }] };
}

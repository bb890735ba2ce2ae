/**
 * Public counts over a collection: how many records sit under a tenant, a vector key id, an epoch
 * or a set of pre-filter tokens. These are facts anyone with read access to the store can compute
 * (the fields are stored in the clear by design), so they may be shown to any operator. Used by
 * `keys retire` (is a vector key still in use?), progress totals of rewrap and rotation, and the
 * access diagnosis (./diagnose.ts).
 */
import type { Backend, Condition, Filter } from '../backend/types.js';
import { FIELDS, tenantCondition } from './filters.js';

export interface CensusQuery {
  /** Only records of this tenant (default: every tenant). */
  tenant?: string;
  /** Only records under this vector key id. */
  kid?: string;
  /** Only records not under this vector key id. */
  notKid?: string;
  /** Only records at this epoch. */
  epoch?: number;
  /** Only records carrying at least one of these pre-filter tokens. */
  prefilterAny?: readonly string[];
}

export function censusFilter(q: CensusQuery): Filter | undefined {
  const must: Condition[] = [];
  const mustNot: Condition[] = [];
  if (q.tenant !== undefined) must.push(tenantCondition(q.tenant));
  if (q.kid !== undefined) must.push({ key: FIELDS.kid, match: { value: q.kid } });
  if (q.notKid !== undefined) mustNot.push({ key: FIELDS.kid, match: { value: q.notKid } });
  if (q.epoch !== undefined) must.push({ key: FIELDS.epoch, match: { value: q.epoch } });
  if (q.prefilterAny !== undefined) must.push({ key: FIELDS.prefilter, match: { any: [...q.prefilterAny] } });
  if (must.length === 0 && mustNot.length === 0) return undefined;
  return { ...(must.length ? { must } : {}), ...(mustNot.length ? { must_not: mustNot } : {}) };
}

/** Exact count of the records matching `q`. A token list that is empty matches nothing. */
export async function countRecords(backend: Backend, name: string, q: CensusQuery = {}): Promise<number> {
  if (q.prefilterAny !== undefined && q.prefilterAny.length === 0) return 0;
  const filter = censusFilter(q);
  return filter === undefined ? backend.count(name) : backend.count(name, filter);
}

export interface CensusSample {
  /** Records looked at. */
  size: number;
  /** Distinct epochs and vector key ids among them, sorted. */
  epochs: number[];
  kids: string[];
}

/** The epochs and vector key ids of the first `limit` records matching `q` (one page, public fields only). */
export async function sampleRecords(backend: Backend, name: string, q: CensusQuery = {}, limit = 64): Promise<CensusSample> {
  const filter = censusFilter(q);
  const page = await backend.scroll(name, { limit, withVector: false, ...(filter ? { filter } : {}) });
  const epochs = new Set<number>();
  const kids = new Set<string>();
  for (const p of page.points) {
    const ep = p.payload[FIELDS.epoch];
    const kid = p.payload[FIELDS.kid];
    if (typeof ep === 'number' && Number.isSafeInteger(ep)) epochs.add(ep);
    if (typeof kid === 'string') kids.add(kid);
  }
  return { size: page.points.length, epochs: [...epochs].sort((a, b) => a - b), kids: [...kids].sort() };
}

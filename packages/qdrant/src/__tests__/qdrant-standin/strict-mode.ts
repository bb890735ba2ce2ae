/**
 * Strict mode and payload-index capabilities, as Qdrant checks them before running a request.
 * Pure: the stand-in's HTTP layer turns a returned message into `400 Bad request: <message>`
 * (StrictMode -> StorageError::BadRequest, lib/storage/src/content_manager/errors.rs).
 *
 * Sources (qdrant/qdrant 1.19):
 * - lib/collection/src/operations/verification/mod.rs: the order of checks, `check_limit_opt`
 *   ("Limit exceeded {value} > {limit} for \"{name}\""), `check_bool_opt` ("Exact search
 *   disabled!"), the unindexed-filter message, and `CollectionError::strict_mode` appending
 *   ". Help: {solution}".
 * - lib/collection/src/problems/unindexed_field.rs: which index a condition needs
 *   (`infer_index_from_field_condition`) and what each index offers (`schema_capabilities`).
 * - lib/storage/src/content_manager/collection_verification.rs: nothing is checked unless
 *   `enabled` is true; the request timeout is checked last.
 * - lib/collection/src/operations/config_diff.rs: PATCH merges the given keys into the config.
 */
import { formatPath, parsePath } from '../../backend/filter.js';
import type { Condition, Filter } from '../../backend/types.js';

export interface StrictModeConfig {
  enabled?: boolean | null;
  max_query_limit?: number | null;
  max_timeout?: number | null;
  unindexed_filtering_retrieve?: boolean | null;
  unindexed_filtering_update?: boolean | null;
  search_max_hnsw_ef?: number | null;
  search_allow_exact?: boolean | null;
  search_max_oversampling?: number | null;
  upsert_max_batchsize?: number | null;
  filter_max_conditions?: number | null;
  condition_max_size?: number | null;
}

const BOOL_KEYS = ['enabled', 'unindexed_filtering_retrieve', 'unindexed_filtering_update', 'search_allow_exact'] as const;
const UINT_KEYS = ['max_query_limit', 'max_timeout', 'search_max_hnsw_ef', 'upsert_max_batchsize', 'filter_max_conditions', 'condition_max_size'] as const;

/** Validates a strict_mode_config body; unknown keys are ignored, as serde does. */
export function parseStrictMode(v: unknown): StrictModeConfig {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError('strict_mode_config: expected an object');
  const o = v as Record<string, unknown>;
  const out: StrictModeConfig = {};
  for (const k of BOOL_KEYS) {
    const x = o[k];
    if (x === undefined) continue;
    if (x !== null && typeof x !== 'boolean') throw new TypeError(`strict_mode_config.${k}: expected a boolean`);
    out[k] = x;
  }
  for (const k of UINT_KEYS) {
    const x = o[k];
    if (x === undefined) continue;
    if (x !== null && (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0)) throw new TypeError(`strict_mode_config.${k}: expected a non-negative integer`);
    out[k] = x;
  }
  const os = o['search_max_oversampling'];
  if (os !== undefined) {
    if (os !== null && typeof os !== 'number') throw new TypeError('strict_mode_config.search_max_oversampling: expected a number');
    out.search_max_oversampling = os;
  }
  return out;
}

/** PATCH semantics: a key present in the update replaces the old value (null included). */
export function mergeStrictMode(old: StrictModeConfig | undefined, update: StrictModeConfig): StrictModeConfig {
  return { ...(old ?? {}), ...update };
}

// ---- payload indexes ------------------------------------------------------------------------

/** What a payload index can serve (FieldIndexType in unindexed_field.rs). */
type Capability = 'IntMatch' | 'IntRange' | 'KeywordMatch' | 'BoolMatch' | 'UuidMatch' | 'FloatRange' | 'Text' | 'Geo' | 'DatetimeRange';

export const SCHEMA_TYPES = ['keyword', 'integer', 'float', 'bool', 'geo', 'text', 'datetime', 'uuid'] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];

/** A field_schema as sent: a type name or `{ type, ...params }`. */
export type FieldSchema = SchemaType | ({ type: SchemaType } & Record<string, unknown>);

export function schemaType(s: FieldSchema): SchemaType {
  return typeof s === 'string' ? s : s.type;
}

function capabilities(s: FieldSchema): Set<Capability> {
  const params: Record<string, unknown> = typeof s === 'string' ? {} : s;
  switch (schemaType(s)) {
    case 'keyword':
      return new Set(['KeywordMatch']);
    case 'integer': {
      const caps = new Set<Capability>();
      if (params['lookup'] !== false) caps.add('IntMatch');
      if (params['range'] !== false) caps.add('IntRange');
      return caps;
    }
    case 'uuid':
      return new Set(['UuidMatch']);
    case 'bool':
      return new Set(['BoolMatch']);
    case 'float':
      return new Set(['FloatRange']);
    case 'text':
      return new Set(['Text']);
    case 'geo':
      return new Set(['Geo']);
    case 'datetime':
      return new Set(['DatetimeRange']);
  }
}

/** The name Qdrant prints for the index a capability asks for (PayloadFieldSchema's Display). */
const NEEDED_NAME: Record<Capability, string> = {
  IntMatch: 'integer',
  IntRange: 'integer',
  KeywordMatch: 'keyword',
  BoolMatch: 'bool',
  UuidMatch: 'uuid',
  FloatRange: 'float',
  Text: 'text',
  Geo: 'geo',
  DatetimeRange: 'datetime',
};

const UUID_ANY = /^([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})$/i;

function forValue(v: unknown): Capability[] {
  if (typeof v === 'string') return UUID_ANY.test(v) ? ['UuidMatch', 'KeywordMatch'] : ['KeywordMatch'];
  if (typeof v === 'number') return ['IntMatch'];
  return ['BoolMatch'];
}

function forList(list: unknown[]): Capability[] {
  if (list.length === 0) return [];
  if (list.every((x) => typeof x === 'string')) return list.every((x) => UUID_ANY.test(x as string)) ? ['UuidMatch', 'KeywordMatch'] : ['KeywordMatch'];
  return ['IntMatch'];
}

function needed(c: Extract<Condition, { key: string }>): Capability[] {
  const m = c.match;
  if ('value' in m) return forValue(m.value);
  if ('any' in m) return forList(m.any);
  return forList(m.except);
}

/**
 * The first field of `filter` whose condition no index serves, with the index types that would,
 * or null. Walks must, must_not, then should, depth first (Filter::iter_conditions), like
 * `Extractor::update_from_filter_once`. `indexes` is keyed by the canonical path.
 */
export function firstUnindexed(filter: Filter, indexes: ReadonlyMap<string, FieldSchema>): { key: string; types: string[] } | null {
  for (const c of [...(filter.must ?? []), ...(filter.must_not ?? []), ...(filter.should ?? [])]) {
    if ('has_id' in c) continue;
    if (!('key' in c)) {
      const inner = firstUnindexed(c, indexes);
      if (inner !== null) return inner;
      continue;
    }
    const want = needed(c);
    if (want.length === 0) continue;
    const items = parsePath(c.key);
    const key = items === null ? c.key : formatPath(items);
    const schema = indexes.get(key);
    const have = schema === undefined ? new Set<Capability>() : capabilities(schema);
    if (want.some((w) => have.has(w))) continue;
    return { key, types: [...new Set(want.map((w) => NEEDED_NAME[w]))].sort() };
  }
  return null;
}

function conditionCount(f: Filter): number {
  let n = 0;
  for (const c of [...(f.must ?? []), ...(f.must_not ?? []), ...(f.should ?? [])]) n += 'key' in c || 'has_id' in c ? 1 : conditionCount(c);
  return n;
}

function maxConditionSize(f: Filter): number {
  let n = 0;
  for (const c of [...(f.must ?? []), ...(f.must_not ?? []), ...(f.should ?? [])]) {
    if ('has_id' in c) n = Math.max(n, c.has_id.length);
    else if ('key' in c) n = Math.max(n, 'any' in c.match ? c.match.any.length : 'except' in c.match ? c.match.except.length : 1);
    else n = Math.max(n, maxConditionSize(c));
  }
  return n;
}

const help = (error: string, solution: string) => `${error}. Help: ${solution}`;

function limit(value: number | undefined, max: number | null | undefined, name: string): string | null {
  if (value === undefined || max === null || max === undefined || value <= max) return null;
  return help(`Limit exceeded ${value} > ${max} for "${name}"`, `Reduce the "${name}" parameter to or below ${max}.`);
}

/** What a request asks for, as far as strict mode cares. */
export interface StrictRequest {
  limit?: number;
  readFilter?: Filter;
  writeFilter?: Filter;
  exact?: boolean;
  hnswEf?: number;
  oversampling?: number;
  upsertPoints?: number;
  /** The `timeout` query parameter, in seconds. */
  timeout?: number;
}

/** The strict-mode violation message for `req`, or null when it passes (or strict mode is off). */
export function strictViolation(cfg: StrictModeConfig | undefined, indexes: ReadonlyMap<string, FieldSchema>, req: StrictRequest): string | null {
  if (cfg === undefined || cfg.enabled !== true) return null;
  const checks: (() => string | null)[] = [
    () => limit(req.upsertPoints, cfg.upsert_max_batchsize, 'upsert limit'),
    () => limit(req.limit, cfg.max_query_limit, 'limit'),
    () => filterViolation(req.readFilter, cfg.unindexed_filtering_retrieve, cfg, indexes),
    () => filterViolation(req.writeFilter, cfg.unindexed_filtering_update, cfg, indexes),
    () => (cfg.search_allow_exact === false && req.exact === true ? help('Exact search disabled!', 'Set exact=false.') : null),
    () => limit(req.oversampling, cfg.search_max_oversampling, 'oversampling'),
    () => limit(req.hnswEf, cfg.search_max_hnsw_ef, 'hnsw_ef'),
    () => limit(req.timeout, cfg.max_timeout, 'timeout'),
  ];
  for (const check of checks) {
    const v = check();
    if (v !== null) return v;
  }
  return null;
}

function filterViolation(
  f: Filter | undefined,
  allowUnindexed: boolean | null | undefined,
  cfg: StrictModeConfig,
  indexes: ReadonlyMap<string, FieldSchema>,
): string | null {
  if (f === undefined) return null;
  if (allowUnindexed === false) {
    const u = firstUnindexed(f, indexes);
    if (u !== null) {
      return help(
        `Index required but not found for "${u.key}" of one of the following types: [${u.types.join(', ')}]`,
        'Create an index for this key or use a different filter.',
      );
    }
  }
  const max = cfg.filter_max_conditions;
  if (max !== null && max !== undefined) {
    const n = conditionCount(f);
    if (n > max) return help(`Filter condition limit reached (${n} > ${max})`, 'Reduce the amount of conditions of your filter.');
  }
  const size = cfg.condition_max_size;
  if (size !== null && size !== undefined) {
    const n = maxConditionSize(f);
    if (n > size) return help(`Condition size limit reached (${n} > ${size})`, 'Reduce the size of your condition.');
  }
  return null;
}

/**
 * Request parsing for the stand-in, with Qdrant's error classes (src/actix/mod.rs,
 * validation_error_handler): a body that does not deserialize is `400 Format error in JSON body:
 * ...`; a body that deserializes but breaks a `#[validate]` rule is `422 Validation error in JSON
 * body: [field: message]` (messages as lib/collection/src/operations/validation.rs prints them);
 * the same for query parameters ("in query parameters") and path parameters.
 */
import { checkFilter, parsePath } from '../../backend/filter.js';
import type { Filter, Payload } from '../../backend/types.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (m: string) => new HttpError(400, `Format error in JSON body: ${m}`);
export const wrongInput = (m: string) => new HttpError(400, `Wrong input: ${m}`);
export const notFound = (m: string) => new HttpError(404, `Not found: ${m}`);
export const unsupported = (m: string) => new HttpError(400, `Wrong input: the stand-in does not support ${m}`);

/** One `#[validate]` failure: 422 with Qdrant's label. */
export function invalid(where: 'JSON body' | 'query parameters' | 'path parameters', field: string, message: string): HttpError {
  return new HttpError(422, `Validation error in ${where}: [${field}: ${message}]`);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `range(min = ...)` on an integer field: 400 when it is not a non-negative integer, 422 below min. */
export function uint(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER, where: 'JSON body' | 'query parameters' = 'JSON body'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    const err = `invalid value: ${JSON.stringify(v)}, expected usize for ${field}`;
    throw where === 'JSON body' ? badRequest(err) : new HttpError(400, `Query deserialize error: ${err}`);
  }
  if (v < min || v > max) throw invalid(where, field, `value ${v} invalid, must be ${max === Number.MAX_SAFE_INTEGER ? `${min} or larger` : `from ${min} to ${max}`}`);
  return v;
}

export function optBool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw badRequest(`invalid type for ${field}: expected a boolean`);
  return v;
}

// ---- point ids -----------------------------------------------------------------------------

/** A point id as Qdrant holds it: an unsigned integer or a UUID (printed hyphenated, lowercase). */
export type WireId = number | string;

const UUID_HYPHENATED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_SIMPLE = /^[0-9a-f]{32}$/i;

/**
 * Parses an ExtendedPointId (lib/segment/src/types.rs): u64 or any UUID form the uuid crate
 * reads (hyphenated, simple; any case). Integers above 2^53 cannot survive JSON.parse here: the
 * stand-in refuses them (a deviation; Qdrant takes the full u64 range).
 */
export function pointId(v: unknown): WireId {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw badRequest(`data did not match any variant of untagged enum ExtendedPointId: ${v}`);
    return v;
  }
  if (typeof v === 'string') {
    if (UUID_HYPHENATED.test(v)) return v.toLowerCase();
    if (UUID_SIMPLE.test(v)) {
      const h = v.toLowerCase();
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
  }
  throw badRequest(`data did not match any variant of untagged enum ExtendedPointId: ${JSON.stringify(v)}`);
}

/** Map key of an id: integers and UUIDs never collide (a UUID holds hyphens). */
export const idKey = (id: WireId): string => String(id);

/** Qdrant's id order: every integer id before every UUID; UUIDs by their bytes (= hex order). */
export function compareIds(a: WireId, b: WireId): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- filters, selectors, vectors -------------------------------------------------------------

/**
 * A filter from the wire, checked with the backends' own checker (Qdrant's deserializer rules for
 * our subset), with has_id entries turned into id keys. Other condition kinds (range, nested,
 * is_empty, ...) are a stand-in deviation: 400 naming them.
 */
export function wireFilter(v: unknown): Filter | undefined {
  if (v === undefined || v === null) return undefined;
  const normal = oneOrMany(v, 'filter');
  try {
    return checkFilter(normal, 'filter', { pointId: (id) => idKey(pointId(id)) });
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw badRequest((e as Error).message);
  }
}

const FIELD_CONDITIONS = ['match', 'range', 'geo_bounding_box', 'geo_radius', 'geo_polygon', 'values_count', 'is_empty', 'is_null'];
const OTHER_CONDITIONS = ['nested', 'is_empty', 'is_null', 'has_vector'];

/**
 * Qdrant's shapes our checker does not take, made plain: a clause may be one condition instead
 * of a list (OneOrMany, tests/openapi/test_basic_retrieve_api.py::test_query_single_condition);
 * a key with no condition is a 422 (tests/openapi/test_filter.py::test_just_key). Condition kinds
 * we never send are a stand-in deviation (400 naming them).
 */
function oneOrMany(v: unknown, at: string): unknown {
  if (!isObject(v)) return v;
  if ('key' in v) {
    if (!FIELD_CONDITIONS.some((k) => k in v)) throw invalid('JSON body', at, 'At least one field condition must be specified');
    const other = FIELD_CONDITIONS.filter((k) => k !== 'match' && k in v);
    if (other.length > 0) throw unsupported(`${other.join(', ')} conditions`);
    return v;
  }
  for (const k of OTHER_CONDITIONS) if (k in v) throw unsupported(`${k} conditions`);
  if ('min_should' in v) throw unsupported('min_should');
  if ('has_id' in v) return v;
  const out: Record<string, unknown> = { ...v };
  for (const clause of ['must', 'should', 'must_not']) {
    const c = v[clause];
    if (c === undefined || c === null) {
      delete out[clause];
      continue;
    }
    out[clause] = (Array.isArray(c) ? c : [c]).map((x, i) => oneOrMany(x, `${at}.${clause}[${i}]`));
  }
  return out;
}

export type PayloadSelector = { all: boolean } | { include: string[] } | { exclude: string[] };

/** A path naming one top-level key (nested paths are a stand-in deviation: 400). */
export function topLevelKey(k: unknown, field: string): string {
  if (typeof k !== 'string') throw badRequest(`${field}: expected strings`);
  const items = parsePath(k);
  if (items === null) throw badRequest(`Invalid json path: '${k}'`);
  const first = items[0];
  if (items.length !== 1 || first === undefined || !('key' in first)) throw unsupported(`nested payload paths (${k})`);
  return first.key;
}

/**
 * `with_payload`: a boolean, a list of paths, `{ include: [...] }` or `{ exclude: [...] }`
 * (WithPayloadInterface). Paths are kept canonical; only top-level keys are applied by
 * `selectPayload` (nested paths are a stand-in deviation: 400).
 */
export function payloadSelector(v: unknown, dflt: boolean): PayloadSelector {
  if (v === undefined || v === null) return { all: dflt };
  if (typeof v === 'boolean') return { all: v };
  const paths = (list: unknown, field: string): string[] => {
    if (!Array.isArray(list)) throw badRequest(`${field}: expected a list of payload keys`);
    return list.map((k) => topLevelKey(k, field));
  };
  if (Array.isArray(v)) return { include: paths(v, 'with_payload') };
  if (isObject(v) && 'include' in v) return { include: paths(v['include'], 'with_payload.include') };
  if (isObject(v) && 'exclude' in v) return { exclude: paths(v['exclude'], 'with_payload.exclude') };
  throw badRequest('data did not match any variant of untagged enum WithPayloadInterface');
}

export function selectPayload(p: Payload, sel: PayloadSelector): Payload | undefined {
  if ('all' in sel) return sel.all ? p : undefined;
  if ('include' in sel) return Object.fromEntries(sel.include.filter((k) => Object.hasOwn(p, k)).map((k) => [k, p[k]]));
  return Object.fromEntries(Object.entries(p).filter(([k]) => !sel.exclude.includes(k)));
}

export function withVectorFlag(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  throw unsupported('with_vector lists (named vectors)');
}

export function denseVector(v: unknown, what: string): Float32Array {
  if (!Array.isArray(v)) {
    if (isObject(v)) throw unsupported(`${what}: named or sparse vectors`);
    throw badRequest(`${what}: expected a list of numbers`);
  }
  if (!v.every((x) => typeof x === 'number')) throw badRequest(`${what}: expected a list of numbers`);
  return Float32Array.from(v as number[]);
}

export function payloadOf(v: unknown, what: string): Payload {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw badRequest(`${what}: expected an object`);
  return v as Payload;
}

export interface SearchParams {
  hnswEf?: number;
  exact: boolean;
  oversampling?: number;
}

/** SearchParams (lib/segment/src/types.rs): hnsw_ef >= 1 (422 otherwise), exact, quantization. */
export function searchParams(v: unknown): SearchParams {
  if (v === undefined || v === null) return { exact: false };
  if (!isObject(v)) throw badRequest('params: expected an object');
  const out: SearchParams = { exact: optBool(v['exact'], 'params.exact') ?? false };
  if (v['hnsw_ef'] !== undefined && v['hnsw_ef'] !== null) out.hnswEf = uint(v['hnsw_ef'], 'params.hnsw_ef', 1);
  const q = v['quantization'];
  if (q !== undefined && q !== null) {
    if (!isObject(q)) throw badRequest('params.quantization: expected an object');
    optBool(q['ignore'], 'params.quantization.ignore');
    optBool(q['rescore'], 'params.quantization.rescore');
    const os = q['oversampling'];
    if (os !== undefined && os !== null) {
      if (typeof os !== 'number') throw badRequest('params.quantization.oversampling: expected a number');
      if (os < 1) throw invalid('JSON body', 'params.quantization.oversampling', `value ${os} invalid, must be 1.0 or larger`);
      out.oversampling = os;
    }
  }
  optBool(v['indexed_only'], 'params.indexed_only');
  return out;
}

/** The `timeout` query parameter (seconds, >= 1), `consistency` and `ordering`. */
export function queryParams(q: URLSearchParams): { timeout?: number; wait: boolean } {
  const out: { timeout?: number; wait: boolean } = { wait: false };
  const t = q.get('timeout');
  if (t !== null) {
    if (!/^\d+$/.test(t)) throw new HttpError(400, `Query deserialize error: invalid digit found in string (timeout=${t})`);
    out.timeout = uint(Number(t), 'timeout', 1, Number.MAX_SAFE_INTEGER, 'query parameters');
  }
  const w = q.get('wait');
  if (w !== null) {
    if (w !== 'true' && w !== 'false') throw new HttpError(400, `Query deserialize error: provided string was not \`true\` or \`false\` (wait=${w})`);
    out.wait = w === 'true';
  }
  const o = q.get('ordering');
  if (o !== null && !['weak', 'medium', 'strong'].includes(o)) {
    throw new HttpError(400, `Query deserialize error: unknown variant \`${o}\`, expected one of \`weak\`, \`medium\`, \`strong\``);
  }
  const c = q.get('consistency');
  if (c !== null && !/^\d+$/.test(c) && !['majority', 'quorum', 'all'].includes(c)) {
    throw new HttpError(400, `Query deserialize error: data did not match any variant of untagged enum ReadConsistency (consistency=${c})`);
  }
  if (c !== null && /^\d+$/.test(c) && Number(c) < 1) throw invalid('query parameters', 'consistency', 'value 0 invalid, must be 1 or larger');
  return out;
}

/**
 * LlamaIndex metadata filters -> what the database can run on sealed records. Pure.
 *
 * The database sees sealed payloads, so it can filter only by equality on blind-indexed fields
 * (keyed tokens of the value). That honours `==`, and `contains` (a blind-indexed array field
 * gets one token per element, so "holds this value" is the same test), ANDed across distinct
 * fields. Everything else (ranges, `!=`, `in`, text match, OR of several conditions, fields that
 * are not blind-indexed) would need the plaintext; it is refused with an error saying why, never
 * silently dropped or applied after the top k were chosen.
 */
import { FilterOperator, type MetadataFilters, type MetadataFilterValue } from '@llamaindex/core/vector-store';
import type { Where } from '@sealvec/qdrant/integration';

/** The payload field holding each node's source document id (LlamaIndex's `ref_doc_id`). */
export const REF_DOC_FIELD = 'ref_doc_id';

const HONOURED: readonly string[] = [FilterOperator.EQ, FilterOperator.CONTAINS];

function scalar(v: MetadataFilterValue | undefined, at: string): string | number {
  if (typeof v === 'string' || typeof v === 'number') return v;
  throw new RangeError(`"${at}.value" expected a string or number for an equality on a blind-indexed field, got ${Array.isArray(v) ? 'an array' : String(v)}`);
}

/**
 * The blind-index equalities a query's filters and docIds ask for, or undefined when none.
 * `indexed` are the collection's blind-indexed fields; `collection` names it in errors.
 */
export function toWhere(filters: MetadataFilters | undefined, docIds: readonly string[] | undefined, indexed: readonly string[], collection: string): Where | undefined {
  const where: Where = {};
  const add = (field: string, value: string | number, at: string) => {
    if (!indexed.includes(field)) {
      throw new RangeError(`"${at}": field ${JSON.stringify(field)} is not blind-indexed in collection "${collection}"; the database can filter sealed metadata only by equality on blind-indexed fields`);
    }
    if (Object.prototype.hasOwnProperty.call(where, field) && where[field] !== value) {
      throw new RangeError(`"${at}": a second condition on ${JSON.stringify(field)} cannot be honoured (one equality per blind-indexed field)`);
    }
    where[field] = value;
  };
  const list = filters?.filters ?? [];
  if (list.length > 1 && filters?.condition === 'or') {
    throw new RangeError('"filters.condition": "or" across several conditions cannot be honoured over sealed metadata (only AND of equalities)');
  }
  list.forEach((f, i) => {
    const at = `filters.filters[${i}]`;
    if (!HONOURED.includes(f.operator)) {
      throw new RangeError(`"${at}.operator": ${JSON.stringify(f.operator)} cannot be honoured over sealed metadata; only "==" and "contains" on blind-indexed fields`);
    }
    add(f.key, scalar(f.value, at), `${at}.key`);
  });
  if (docIds !== undefined) {
    if (docIds.length !== 1) throw new RangeError(`"docIds" expected exactly one document id (an equality on ${REF_DOC_FIELD}), got ${docIds.length}`);
    add(REF_DOC_FIELD, docIds[0]!, 'docIds');
  }
  return Object.keys(where).length > 0 ? where : undefined;
}

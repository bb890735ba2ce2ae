/**
 * The two-user RAG scenario the integration tests and examples share: the RAG and evals PDFs are
 * research's, the models and fine-tuning PDFs product's. alice (research) and bob (product) search
 * the same collection and must each see only their department's chunks.
 */
import { createWriterKey, generateAuthority, issueUserKey, type Authority, type DimensionMap, type UserKey, type WriterKey } from '@sealvec/core';
import type { Chunk, ChunkSource } from './openai-fixture.js';

export const DEPARTMENT: Readonly<Record<ChunkSource, 'research' | 'product'>> = {
  rag: 'research',
  evals: 'research',
  models: 'product',
  'fine-tuning': 'product',
};

/** The policy a chunk is sealed under: readable by its department. */
export function policyOf(source: ChunkSource): DimensionMap {
  return { department: [DEPARTMENT[source]] };
}

export interface ScenarioKeys {
  authority: Authority;
  writer: WriterKey;
  alice: UserKey;
  bob: UserKey;
}

/** Fresh keys; both users may filter on the blind-indexed `source` field (and `ref_doc_id`, for LlamaIndex). */
export function scenarioKeys(blindIndexFields: readonly string[] = ['source']): ScenarioKeys {
  const authority = generateAuthority();
  return {
    authority,
    writer: createWriterKey(authority),
    alice: issueUserKey(authority, { role: ['analyst'], department: ['research'] }, { blindIndexFields }),
    bob: issueUserKey(authority, { role: ['analyst'], department: ['product'] }, { blindIndexFields }),
  };
}

/** The chunks a user of `department` may read. */
export function readableBy(department: 'research' | 'product', chunks: readonly Chunk[]): Chunk[] {
  return chunks.filter((c) => DEPARTMENT[c.source] === department);
}

/**
 * Scores a user's retrieval over the OpenAI fixture against what that user may read: the RAG
 * tests of both integrations ask the same questions and judge the answers the same way.
 */
import { openaiChunks } from './openai-fixture.js';
import { exactTopK } from './reference.js';
import { DEPARTMENT, readableBy } from './scenario.js';

/** Questions: chunk texts (the fixture has no separate question embeddings), from every PDF. */
export const QUERY_ROWS: readonly number[] = [0, 9, 14, 24, 33, 57, 63, 72, 38, 44, 50, 78, 81, 86];

export interface RetrievalScore {
  /** Rows returned that the user may not read (must be empty). */
  foreign: number[];
  /** Queries with the wrong number of results, as `row:count`. */
  wrongCount: string[];
  /** Readable query chunks that did not come back first for their own text. */
  selfNotFirst: number[];
  /** Recall@k against exact plaintext search over the chunks the user may read. */
  recall: number;
}

/** Runs `retrieve` (text -> rows of the chunks returned, best first) for every question. */
export async function scoreRetrieval(department: 'research' | 'product', k: number, retrieve: (text: string) => Promise<number[]>): Promise<RetrievalScore> {
  const chunks = openaiChunks();
  const mine = readableBy(department, chunks);
  const mineRows = new Set(mine.map((c) => c.row));
  const score: RetrievalScore = { foreign: [], wrongCount: [], selfNotFirst: [], recall: 0 };
  let matched = 0;
  for (const row of QUERY_ROWS) {
    const query = chunks.find((c) => c.row === row)!;
    const rows = await retrieve(query.text);
    if (rows.length !== k) score.wrongCount.push(`${row}:${rows.length}`);
    score.foreign.push(...rows.filter((r) => !mineRows.has(r)));
    if (DEPARTMENT[query.source] === department && rows[0] !== row) score.selfNotFirst.push(row);
    const want = exactTopK(query.vector, mine, k);
    matched += rows.filter((r) => want.includes(r)).length;
  }
  score.recall = matched / (QUERY_ROWS.length * k);
  return score;
}

/**
 * The OpenAI fixture as text chunks: fixtures/datasets/openai1536 holds 88 `text-embedding-3-small`
 * vectors of chunks of four OpenAI cookbook PDFs (MIT), and texts.jsonl their texts (line i <->
 * row i, proven by scripts/fixtures/openai-texts.mjs). Integration tests embed with these
 * precomputed vectors, never over a network.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readFvecs } from './fvecs.js';

/** The PDF a chunk comes from. Each PDF's rows are its slide texts, an empty row, then summaries. */
export type ChunkSource = 'rag' | 'models' | 'evals' | 'fine-tuning';

export interface Chunk {
  /** Row in base.fvecs (and line in texts.jsonl). */
  readonly row: number;
  readonly text: string;
  readonly vector: readonly number[];
  readonly source: ChunkSource;
}

/** First row of each PDF, in order (from the texts: the rows 19, 46, 68 and 83 are empty separators). */
const FIRST_ROW: readonly [number, ChunkSource][] = [
  [0, 'rag'],
  [37, 'models'],
  [56, 'evals'],
  [77, 'fine-tuning'],
];

const DIR = new URL('../../../fixtures/datasets/openai1536/', import.meta.url);

function sourceOf(row: number): ChunkSource {
  let source: ChunkSource = 'rag';
  for (const [first, s] of FIRST_ROW) if (row >= first) source = s;
  return source;
}

let cached: readonly Chunk[] | undefined;

/** The 84 non-empty chunks (the four empty separator rows are left out), in row order. */
export function openaiChunks(): readonly Chunk[] {
  if (cached !== undefined) return cached;
  const texts = readFileSync(fileURLToPath(new URL('texts.jsonl', DIR)), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as string);
  const vectors = readFvecs(fileURLToPath(new URL('base.fvecs', DIR)));
  if (texts.length !== vectors.length) throw new Error(`texts.jsonl has ${texts.length} lines, base.fvecs ${vectors.length} rows`);
  cached = Object.freeze(
    texts.flatMap((text, row) => (text === '' ? [] : [Object.freeze({ row, text, vector: Object.freeze(Array.from(vectors[row]!)), source: sourceOf(row) })])),
  );
  return cached;
}

/**
 * Looks a text's embedding up among the fixture's chunks: the offline stand-in for an embedding
 * model. Unknown texts throw, so a test can never silently embed something the fixture lacks.
 * Surrounding whitespace is ignored (LlamaIndex trims node text before embedding it).
 */
export function lookupEmbedding(text: string): number[] {
  const chunk = byText().get(text.trim());
  if (chunk === undefined) throw new RangeError(`"text" is not one of the OpenAI fixture's chunks: ${JSON.stringify(text.slice(0, 60))}`);
  return [...chunk.vector];
}

let index: Map<string, Chunk> | undefined;
function byText(): Map<string, Chunk> {
  index ??= new Map(openaiChunks().map((c) => [c.text.trim(), c]));
  return index;
}

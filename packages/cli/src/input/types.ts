/** What every input reader yields, whatever the file format. */

export type InputFormat = 'jsonl' | 'json' | 'npy' | 'fvecs' | 'csv' | 'tsv';

export const INPUT_FORMATS: readonly InputFormat[] = ['jsonl', 'json', 'npy', 'fvecs', 'csv', 'tsv'];

export interface InputRecord {
  /** The record's id: from the input, or `idPrefix + index` (0-based, in input order) when absent. */
  id: string;
  /** Checked: finite float32 values, the same dimension as every other record of the input. */
  vector: Float32Array;
  /** Any JSON value; absent when the input gave none. */
  payload?: unknown;
  /** The record's own policy (CLI syntax or JSON object); absent when the input gave none. */
  policy?: string | Record<string, unknown>;
  /** Where the record came from, for messages: `file:line` (text formats) or `file:row N` (binary). */
  where: string;
  /** Size of the record's text in the input (text formats), so batches stay small with big payloads. */
  size?: number;
}

export interface ReaderOptions {
  /** Prefix of generated ids (default ''). */
  idPrefix?: string;
  /** The dimension every vector must have; by default the first record's. */
  dimension?: number;
  /** CSV/TSV: the column holding the vector (default: the first of vector, embedding, embeddings, values). */
  vectorColumn?: string;
  /** CSV/TSV: the column holding ids (default `id` when present). */
  idColumn?: string;
  /** CSV/TSV: the column holding per-record policies (default `policy` when present). */
  policyColumn?: string;
  /** CSV/TSV: field delimiter (default `,` for csv, tab for tsv). */
  delimiter?: string;
  /**
   * CSV/TSV: payload columns whose cells are typed (the blind-indexed fields, so `--where
   * year=2020` matches): a JSON number or true/false becomes that; anything else stays a string.
   */
  typedColumns?: readonly string[];
}

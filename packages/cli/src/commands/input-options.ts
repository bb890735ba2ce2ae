/** Options shared by every command that reads plaintext records (encrypt, ingest). */
import type { ReaderOptions } from '../input/types.js';
import type { Metric, PresetName } from '@sealvec/core';
import type { SchemeRequest } from '../scheme.js';

export interface ReadInputOptions {
  input: string;
  format?: string | undefined;
  idPrefix?: string | undefined;
  dimension?: number | undefined;
  vectorColumn?: string | undefined;
  idColumn?: string | undefined;
  policyColumn?: string | undefined;
  delimiter?: string | undefined;
}

export interface SchemeOptions {
  metric?: Metric | undefined;
  preset?: PresetName | undefined;
  beta?: number | undefined;
  scale?: number | undefined;
  maxNorm?: number | undefined;
  /** commander's --no-prefilter gives prefilter: false. */
  prefilter?: boolean | undefined;
  blindIndex?: string[] | undefined;
  exactVector?: boolean | undefined;
}

export function readerOptions(o: ReadInputOptions): ReaderOptions {
  const r: ReaderOptions = {};
  if (o.idPrefix !== undefined) r.idPrefix = o.idPrefix;
  if (o.dimension !== undefined) r.dimension = o.dimension;
  if (o.vectorColumn !== undefined) r.vectorColumn = o.vectorColumn;
  if (o.idColumn !== undefined) r.idColumn = o.idColumn;
  if (o.policyColumn !== undefined) r.policyColumn = o.policyColumn;
  if (o.delimiter !== undefined) r.delimiter = o.delimiter === '\\t' ? '\t' : o.delimiter;
  return r;
}

export function schemeRequest(o: SchemeOptions): SchemeRequest {
  return {
    metric: o.metric ?? 'cosine',
    preset: o.preset,
    beta: o.beta,
    scale: o.scale,
    maxNorm: o.maxNorm,
    prefilter: o.prefilter ?? true,
    blindIndexFields: o.blindIndex ?? [],
    exactVector: o.exactVector ?? true,
  };
}

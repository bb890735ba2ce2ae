/**
 * `sealvec collections`: the collections of the store (Qdrant with --qdrant / QDRANT_URL, else
 * the embedded store), with record counts and schemes, and how many records each vector key and
 * epoch holds (so `keys retire` and `rewrap` have no surprises). Public facts only: no key is read.
 * Needs a backend that can list its collections (`listCollections`, feature-detected).
 */
import { countRecords, sampleRecords, type Backend } from '@sealvec/qdrant';
import { openBackend, qdrantUrl, storeDir, storeExists, type BackendOptions } from '../backend.js';
import { CliError, EXIT } from '../errors.js';
import type { GlobalOptions } from '../global-options.js';
import type { Io } from '../io.js';
import { createReporter, plural, table } from '../report.js';

export interface CollectionsOptions extends BackendOptions, GlobalOptions {}

export interface CollectionSummary {
  name: string;
  /** False for a collection that is not a Sealvec collection (Qdrant may hold others). */
  sealvec: boolean;
  records: number;
  dimension: number;
  metric: string | null;
  preset: string | null;
  beta: number | null;
  authority: string | null;
  prefilter: boolean | null;
  blindIndexFields: string[];
  /** Records per vector key id and per epoch; "other" counts what the sample did not name. */
  vectorKeys: Record<string, number>;
  epochs: Record<string, number>;
}

/** Exact counts for the values a sample finds, plus the rest under "other" (only when non-zero). */
async function breakdown(backend: Backend, name: string, total: number, values: readonly (string | number)[], count: (v: string | number) => Promise<number>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let seen = 0;
  for (const v of values) {
    const n = await count(v);
    out[String(v)] = n;
    seen += n;
  }
  if (total > seen) out.other = total - seen;
  return out;
}

export async function summarize(backend: Backend, name: string): Promise<CollectionSummary | null> {
  const desc = await backend.describe(name);
  if (desc === null) return null;
  const m = desc.metadata;
  const records = await countRecords(backend, name);
  const sealvec = typeof m.sealvec === 'number' && typeof m.authority === 'string';
  const base: CollectionSummary = {
    name,
    sealvec,
    records,
    dimension: typeof m.dimension === 'number' ? m.dimension : desc.dimension,
    metric: typeof m.metric === 'string' ? m.metric : null,
    preset: typeof m.preset === 'string' ? m.preset : null,
    beta: typeof m.beta === 'number' ? m.beta : null,
    authority: typeof m.authority === 'string' ? m.authority : null,
    prefilter: typeof m.prefilter === 'boolean' ? m.prefilter : null,
    blindIndexFields: Array.isArray(m.blindIndexFields) ? m.blindIndexFields.filter((f): f is string => typeof f === 'string') : [],
    vectorKeys: {},
    epochs: {},
  };
  if (!sealvec || records === 0) return base;
  const sample = await sampleRecords(backend, name, {}, 256);
  base.vectorKeys = await breakdown(backend, name, records, sample.kids, (kid) => countRecords(backend, name, { kid: String(kid) }));
  base.epochs = await breakdown(backend, name, records, sample.epochs, (ep) => countRecords(backend, name, { epoch: Number(ep) }));
  return base;
}

function lines(s: CollectionSummary): string[] {
  if (!s.sealvec) return [`${s.name}`, `  not a Sealvec collection (${plural(s.records, 'point')}, dimension ${s.dimension})`];
  const kv = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k}: ${v}`).join(', ') || '-';
  return [
    `${s.name}`,
    ...table([
      ['records', s.records.toLocaleString('en-US')],
      ['scheme', `${s.metric}, dimension ${s.dimension}, ${s.preset ? `preset ${s.preset}` : `beta ${s.beta}`}, ${s.prefilter ? 'pre-filter tokens' : 'post-filter'}`],
      ['authority', s.authority ?? '-'],
      ['blind index', s.blindIndexFields.join(', ') || '(none)'],
      ['vector keys', kv(s.vectorKeys)],
      ['epochs', kv(s.epochs)],
    ]).map((l) => `  ${l}`),
  ];
}

export async function collections(opts: CollectionsOptions, io: Io): Promise<CollectionSummary[]> {
  const r = createReporter(io, opts);
  if (qdrantUrl(opts, io) === undefined && !(await storeExists(io, opts.store))) {
    // Listing must not create a store where there is none.
    if (!opts.json) r.result(null, `No collections (there is no embedded store at ${storeDir(io, opts.store)})`);
    return [];
  }
  const { backend, label } = await openBackend(opts, io);
  try {
    if (typeof backend.listCollections !== 'function') {
      throw new CliError(`${label} cannot list its collections with this version of @sealvec/qdrant`, EXIT.BACKEND, 'ERR_BACKEND');
    }
    const names = await backend.listCollections();
    const out: CollectionSummary[] = [];
    for (const name of names) {
      const s = await summarize(backend, name);
      if (s !== null) out.push(s);
    }
    if (opts.json) {
      for (const s of out) io.stdout.write(`${JSON.stringify({ backend: label, ...s })}\n`);
    } else {
      r.result(null, out.length === 0 ? `No collections in ${label}` : [`${plural(out.length, 'collection')} in ${label}`, '', ...out.flatMap((s, i) => [...(i ? [''] : []), ...lines(s)])]);
    }
    return out;
  } finally {
    await backend.close();
  }
}

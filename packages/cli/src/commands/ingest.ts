/**
 * `sealvec ingest`: encrypt plaintext records and upsert them into a collection (Qdrant or the
 * embedded store), or upsert an already sealed file (sealed JSONL or a sealed .npy pair) as is.
 *
 * Records are sealed in batches (on worker threads with --threads N) and stored as they come,
 * so a large input never sits in memory (the embedded store itself does keep its collection in
 * memory). Point ids are derived from record ids, so re-running an ingest replaces rather than
 * duplicates: if some records fail to land, the error lists exactly which, and a re-run fixes it.
 */
import { resolve } from 'node:path';
import {
  exportVectorKey,
  exportWriterKey,
  IngestIncomplete,
  isPresetName,
  parsePolicy,
  PRESETS,
  SchemeMismatch,
  type PresetName,
  type StoredPayload,
} from '@sealvec/core';
import { pointIdOf, SealedCollection, type Backend, type Point, type UpsertFailure } from '@sealvec/qdrant';
import { openBackend, type BackendOptions } from '../backend.js';
import { batchesOf, toSealBatch } from '../batches.js';
import type { GlobalOptions } from '../global-options.js';
import { DuplicateIds, trackDuplicates } from '../input/duplicates.js';
import { inputFromSource, looksSealed, openSource } from '../input/index.js';
import { openSealedInput, type SealedInput } from '../input/sealed.js';
import { isSidecarFile } from '../input/sniff.js';
import type { Source } from '../input/source.js';
import type { Io } from '../io.js';
import { keyDirFor, type KeyDir } from '../keyfiles.js';
import { createProgress, type Progress } from '../progress.js';
import { createReporter, plural } from '../report.js';
import { DEFAULT_COLLECTION, resolveScheme, schemeForJson, storedDimension, trustFileScheme, type SchemeFields } from '../scheme.js';
import { encodeStoredPayloadFast } from '../sealed-file.js';
import { isNpyPath, sidecarPathOf } from '../sealed-npy.js';
import { createRunner, type SealRunner } from '../workers/pool.js';
import type { SealedBatch } from '../workers/task.js';
import { readerOptions, schemeRequest, type ReadInputOptions, type SchemeOptions } from './input-options.js';

export interface IngestOptions extends ReadInputOptions, SchemeOptions, BackendOptions, GlobalOptions {
  collection?: string | undefined;
  tenant?: string | undefined;
  policy?: string | undefined;
  threads?: number | undefined;
  batchSize?: number | undefined;
}

export interface IngestResult {
  collection: string;
  backend: string;
  /** Records read from the input. */
  records: number;
  /** Distinct record ids confirmed stored (a repeated id replaces the earlier record). */
  stored: number;
  /** Records whose id repeats an earlier one in the input. */
  duplicates: { count: number; ids: string[] };
  failed: { id: string; code: string; message: string }[];
  created: boolean;
  /** The collection's scheme, as JSON output shows it. */
  scheme: Record<string, unknown>;
  seconds: number;
}

/** Points handed to the backend per call: the embedded store rewrites its file on every call. */
const GROUP_POINTS = { local: 8192, qdrant: 1024 } as const;
/** Failed ids listed in the error message (all of them are in --json output). */
const SHOWN_FAILURES = 20;

function sameScheme(a: SchemeFields, b: SchemeFields): string | null {
  const keys: (keyof SchemeFields)[] = ['collection', 'dimension', 'metric', 'maxNorm', 'authority', 'prefilter', 'exactVector'];
  for (const k of keys) if (a[k] !== b[k]) return `${k} ${JSON.stringify(a[k])} vs ${JSON.stringify(b[k])}`;
  // A preset's beta may be recomputed from a scale (beta / betaRel * betaRel): allow rounding.
  if (Math.abs(a.beta - b.beta) > 1e-9 * Math.max(a.beta, b.beta)) return `beta ${a.beta} vs ${b.beta}`;
  if (a.blindIndexFields.join(',') !== b.blindIndexFields.join(',')) return 'blind-index fields differ';
  return null;
}

/**
 * How to tell the collection its scheme: the exact beta, scale and maxNorm, and the preset name
 * as a label when there was one (the collection then keeps the preset's oversampling).
 */
export function betaOptions(s: SchemeFields): { beta: number; preset?: PresetName; scale?: number; maxNorm?: number } {
  return {
    beta: s.beta,
    ...(s.preset !== null && isPresetName(s.preset) ? { preset: s.preset } : {}),
    ...(s.scale !== null ? { scale: s.scale } : {}),
    ...(s.maxNorm !== null ? { maxNorm: s.maxNorm } : {}),
  };
}

/** Stores points group by group, remembering exactly which ids did not land. */
class PointSink {
  readonly failed: { id: string; code: string; message: string }[] = [];
  stored = 0;
  #points: Point[] = [];
  #ids = new Map<string, string>();
  readonly #backend: Backend;
  readonly #name: string;
  readonly #group: number;
  readonly #batchSize: number | undefined;

  constructor(backend: Backend, name: string, group: number, batchSize: number | undefined) {
    this.#backend = backend;
    this.#name = name;
    this.#group = group;
    this.#batchSize = batchSize;
  }

  async add(tenant: string, ids: readonly string[], vectors: Float32Array, payloads: readonly StoredPayload[], storedDimension: number): Promise<void> {
    for (let i = 0; i < ids.length; i++) {
      const pid = pointIdOf(tenant, ids[i]!);
      this.#ids.set(pid, ids[i]!);
      this.#points.push({ id: pid, vector: vectors.subarray(i * storedDimension, (i + 1) * storedDimension), payload: payloads[i] as unknown as Record<string, unknown> });
    }
    if (this.#points.length >= this.#group) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#points.length === 0) return;
    const points = this.#points;
    const ids = this.#ids;
    this.#points = [];
    this.#ids = new Map();
    const res = await this.#backend.upsert(this.#name, points, this.#batchSize !== undefined ? { batchSize: this.#batchSize } : {});
    this.stored += res.stored.length;
    for (const f of res.failed as UpsertFailure[]) {
      this.failed.push({ id: ids.get(f.id) ?? f.id, code: (f.error as { code?: string }).code ?? 'ERR_BACKEND', message: f.error.message });
    }
  }
}

export async function ingest(opts: IngestOptions, io: Io): Promise<IngestResult> {
  const started = performance.now();
  const kd = keyDirFor(io, opts);
  const tenant = opts.tenant ?? '';
  const name = opts.collection ?? DEFAULT_COLLECTION;
  const keyset = await kd.keyset();
  const source = await openSource(opts.input, io.stdin, io.cwd);
  let opened: Awaited<ReturnType<typeof openBackend>> | undefined;
  let total: number | undefined;
  const progress = createProgress(io, opts, { label: 'ingest', totalBytes: source.size, total: () => total });
  const dups = new DuplicateIds();
  let result: IngestResult;
  try {
    const head = await source.peek();
    const sealed = opts.format === 'sealed' || (opts.format === undefined && (looksSealed(head) || (await hasSidecar(opts.input, io.cwd))));
    opened = await openBackend(opts, io);
    const ctx: Ctx = {
      opts,
      io,
      tenant,
      name,
      keyset,
      backend: opened.backend,
      label: opened.label,
      kind: opened.kind,
      progress,
      started,
      kd,
      dups,
      setTotal: (n) => (total = n),
    };
    result = sealed ? await ingestSealed(ctx, source, opts.input) : await ingestPlain(ctx, source);
  } finally {
    progress.finish();
    await source.close();
    await opened?.backend.close();
  }
  const r = createReporter(io, opts);
  const dupNote = dups.describe(`each replaced the earlier record, so "${name}" received ${plural(dups.distinct, 'distinct record')}`);
  if (dupNote) r.warn(dupNote);
  if (result.failed.length > 0) {
    const shown = result.failed.slice(0, SHOWN_FAILURES).map((f) => f.id);
    if (opts.json) r.result(result, '');
    throw new IngestIncomplete(
      `${result.failed.length} of ${result.records} records did not land in "${name}" (${opened!.label}): ${shown.join(', ')}${
        result.failed.length > shown.length ? ', ...' : ''
      }; first error: ${result.failed[0]!.message}. Re-running the same ingest is safe.`,
      result.failed.map((f) => f.id),
      result.stored,
    );
  }
  r.result(
    result,
    `${result.created ? 'Created' : 'Updated'} collection "${name}" in ${result.backend}: stored ${plural(result.stored, 'record')}${
      dups.count ? ` (${plural(result.records, 'input record')}, ${dups.count} with a repeated id)` : ''
    } (${result.scheme.metric}, dimension ${result.scheme.dimension}) in ${result.seconds.toFixed(1)} s`,
  );
  return result;
}

interface Ctx {
  opts: IngestOptions;
  io: Io;
  tenant: string;
  name: string;
  keyset: Awaited<ReturnType<KeyDir['keyset']>>;
  backend: Backend;
  label: string;
  kind: 'local' | 'qdrant';
  progress: Progress;
  /** Records in the input, when known up front (a sealed .npy pair), for the progress ETA. */
  setTotal: (records: number) => void;
  started: number;
  kd: KeyDir;
  dups: DuplicateIds;
}

/**
 * Is `input` the .npy of a sealed pair? A plaintext .npy has no sidecar; one with a sealed .npy
 * sidecar beside it is sealed (the pair's reader then validates both).
 */
async function hasSidecar(input: string, cwd: string): Promise<boolean> {
  return input !== '-' && isNpyPath(input) && isSidecarFile(resolve(cwd, sidecarPathOf(input)));
}

/** The distinct ids stored: every distinct id read, minus those that did not land. */
function storedCount(dups: DuplicateIds, failed: readonly { id: string }[]): number {
  return dups.distinct - new Set(failed.map((f) => f.id)).size;
}

async function ingestPlain(ctx: Ctx, source: Awaited<ReturnType<typeof openSource>>): Promise<IngestResult> {
  const { opts, io, tenant, name, keyset, backend } = ctx;
  const writer = await ctx.kd.writer(tenant);
  if (opts.policy !== undefined) parsePolicy(writer.schema, opts.policy);
  // Blind-indexed CSV columns are typed, so --where year=2020 matches a year column of 2020.
  const existing = await backend.describe(name);
  const known = existing?.metadata.blindIndexFields;
  const typedColumns = opts.blindIndex ?? (Array.isArray(known) ? known.filter((f): f is string => typeof f === 'string') : []);
  const input = await inputFromSource(source, opts.input, { ...readerOptions(opts), typedColumns, format: opts.format });
  const sink = new PointSink(backend, name, GROUP_POINTS[ctx.kind], opts.batchSize);
  let runner: SealRunner | undefined;
  let col: SealedCollection | undefined;
  let created = false;
  let count = 0;
  try {
    const inflight: { result: Promise<SealedBatch>; rows: number }[] = [];
    const drainOne = async () => {
      const next = inflight.shift()!;
      const r = await next.result;
      await sink.add(tenant, r.ids!, r.vectors!, r.payloads!, storedDimension(col!.scheme));
      count += next.rows;
      ctx.progress.update(count, source.bytesRead);
    };
    let seq = 0;
    for await (const batch of batchesOf(trackDuplicates(input.records(), ctx.dups))) {
      if (col === undefined) {
        const wanted = resolveScheme(schemeRequest(opts), batch[0]!.vector.length, name, writer.authorityId, batch.map((r) => r.vector));
        created = (await backend.describe(name)) === null;
        col = await SealedCollection.openOrCreate(backend, {
          name,
          keyset,
          tenant,
          dimension: wanted.dimension,
          metric: wanted.metric,
          ...betaOptions(wanted),
          writer,
          prefilter: wanted.prefilter,
          blindIndexFields: wanted.blindIndexFields,
          exactVector: wanted.exactVector,
        });
        if (col.scheme.authority !== writer.authorityId) {
          throw new SchemeMismatch(`collection "${name}" is sealed for authority ${col.scheme.authority}; this key directory is authority ${writer.authorityId}`);
        }
        const diff = created ? null : sameScheme(col.scheme, { ...wanted, preset: col.scheme.preset });
        if (diff !== null && (opts.beta !== undefined || opts.preset !== undefined || opts.blindIndex !== undefined || opts.prefilter === false)) {
          throw new SchemeMismatch(`collection "${name}" exists with a different scheme (${diff}); drop the scheme options to use the collection's own`);
        }
        runner = await createRunner(
          {
            writer: exportWriterKey(writer),
            vectorKey: exportVectorKey(keyset.primary),
            scheme: col.scheme,
            collection: name,
            tenant,
            defaultPolicy: opts.policy,
            output: 'points',
          },
          opts.threads ?? 1,
        );
      }
      const result = runner!.submit(toSealBatch(seq++, batch, col.scheme.dimension));
      result.catch(() => {});
      inflight.push({ result, rows: batch.length });
      while (inflight.length >= runner!.capacity) await drainOne();
    }
    while (inflight.length > 0) await drainOne();
    await sink.flush();
  } finally {
    await runner?.close();
  }
  return {
    collection: name,
    backend: ctx.label,
    records: count,
    stored: storedCount(ctx.dups, sink.failed),
    duplicates: ctx.dups.json(),
    failed: sink.failed,
    created,
    scheme: schemeForJson(col!.scheme),
    seconds: (performance.now() - ctx.started) / 1000,
  };
}

async function ingestSealed(ctx: Ctx, source: Source, path: string): Promise<IngestResult> {
  // The pair's reader opens its own files; this source is then closed twice, which is harmless.
  const file = await openSealedInput(path, ctx.io, source);
  if (file.rows !== undefined) ctx.setTotal(file.rows);
  try {
    return await storeSealed(ctx, file);
  } finally {
    await file.close();
  }
}

async function storeSealed(ctx: Ctx, file: SealedInput): Promise<IngestResult> {
  const { tenant, name, keyset, backend } = ctx;
  const h = file.header;
  if (h.collection !== name) {
    throw new SchemeMismatch(`${file.name} was sealed for collection "${h.collection}" (records are bound to it); ingest it with --collection ${h.collection}`);
  }
  if (h.tenant !== tenant) {
    throw new SchemeMismatch(`${file.name} was sealed for tenant ${JSON.stringify(h.tenant)}; ingest it with --tenant ${JSON.stringify(h.tenant)}`);
  }
  // The file is hostile input: its scheme must carry a signature by a writer of this key
  // directory's authority. (A v1 file is re-sealed first: sealvec rotate --allow-v1.)
  const writer = await ctx.kd.writer(tenant);
  if (h.scheme.version !== 2) throw new SchemeMismatch(`${file.name} is a format v1 sealed file: migrate it with "sealvec rotate --allow-v1 -i ... -o ..." before ingesting it`);
  const s = trustFileScheme(h.scheme, file.name, writer.authorityKey, { allowV1: false });
  const created = (await backend.describe(name)) === null;
  const col = await SealedCollection.openOrCreate(backend, {
    name,
    keyset,
    tenant,
    dimension: s.dimension,
    metric: s.metric,
    ...betaOptions(s),
    writer,
    prefilter: s.prefilter,
    blindIndexFields: s.blindIndexFields,
    exactVector: s.exactVector,
  });
  const diff = sameScheme(col.scheme, { ...s, preset: col.scheme.preset });
  if (diff !== null) throw new SchemeMismatch(`collection "${name}" exists with a different scheme than ${file.name} (${diff})`);
  const sink = new PointSink(backend, name, GROUP_POINTS[ctx.kind], ctx.opts.batchSize);
  let count = 0;
  const D = storedDimension(s);
  let ids: string[] = [];
  let payloads: StoredPayload[] = [];
  let vectors = new Float32Array(256 * D);
  const push = async () => {
    await sink.add(tenant, ids, vectors, payloads, D);
    ids = [];
    payloads = [];
    vectors = new Float32Array(256 * D);
  };
  const kids = new Set<string>();
  for await (const { record } of file.records) {
    kids.add(record.kid);
    ctx.dups.add(record.id);
    if (record.tenant !== tenant) throw new SchemeMismatch(`${file.name}: record ${JSON.stringify(record.id)} is for another tenant`);
    vectors.set(record.vector, ids.length * D);
    ids.push(record.id);
    payloads.push(encodeStoredPayloadFast(record));
    count++;
    if (ids.length === 256) {
      await push();
      ctx.progress.update(count, file.bytesRead);
    }
  }
  if (ids.length > 0) await push();
  await sink.flush();
  const unknown = [...kids].filter((k) => !keyset.has(k));
  if (unknown.length > 0) {
    createReporter(ctx.io, ctx.opts).warn(`records under vector key(s) ${unknown.join(', ')} are stored, but this keyset cannot search or open them`);
  }
  return {
    collection: name,
    backend: ctx.label,
    records: count,
    stored: storedCount(ctx.dups, sink.failed),
    duplicates: ctx.dups.json(),
    failed: sink.failed,
    created,
    scheme: schemeForJson(col.scheme),
    seconds: (performance.now() - ctx.started) / 1000,
  };
}

/**
 * `sealvec rewrap`: after `keys rotate` starts a new epoch, move records to it by rewriting their
 * headers (and pre-filter tokens) only. Needs the authority (it derives the writer key of every
 * older epoch); never decrypts a payload or vector. Works on a sealed file or a collection.
 */
import { createRewrapper, createWriterKey, SchemeMismatch, type Authority, type Rewrapper, type WriterKey, type SealedRecord } from '@sealvec/core';
import { countRecords, SealedCollection, type Backend } from '@sealvec/qdrant';
import { openBackend, type BackendOptions } from '../backend.js';
import { CliError, exitCodeForCode, UsageError } from '../errors.js';
import type { GlobalOptions } from '../global-options.js';
import type { Io } from '../io.js';
import { keyDirFor } from '../keyfiles.js';
import { createProgress, type ProgressFlags } from '../progress.js';
import { createReporter, plural } from '../report.js';
import { DEFAULT_COLLECTION, trustFileScheme } from '../scheme.js';
import { transformSealedFile } from './file-transform.js';

export interface RewrapCommandOptions extends BackendOptions, GlobalOptions {
  input?: string | undefined;
  output?: string | undefined;
  collection?: string | undefined;
  tenant?: string | undefined;
}

/** Per-record failures of a collection-wide operation, as one coded error. */
export function failuresError(what: string, failed: { id: string; error: Error }[]): CliError {
  const first = failed[0]!;
  const code = (first.error as { code?: string }).code;
  const ids = failed.slice(0, 20).map((f) => f.id);
  return new CliError(
    `${failed.length} records could not be ${what}: ${ids.join(', ')}${failed.length > ids.length ? ', ...' : ''} (first error: ${first.error.message}); re-run to retry`,
    exitCodeForCode(code),
    code ?? 'ERR_UNEXPECTED',
  );
}

/**
 * Moves a collection's records of every epoch before `to`'s to it, with progress over what is
 * left (so a resumed run shows the remaining work). Per-record failures are collected, not thrown.
 */
export async function rewrapOlderEpochs(
  col: SealedCollection,
  backend: Backend,
  authority: Authority,
  to: WriterKey,
  io: Io,
  flags: ProgressFlags,
): Promise<{ rewrapped: number; failed: { id: string; error: Error }[] }> {
  const { name, tenant } = col;
  let total = 0;
  for (let e = 1; e < to.epoch; e++) total += await countRecords(backend, name, { tenant, epoch: e });
  const progress = createProgress(io, flags, { label: `rewrap "${name}"`, total: () => total });
  let rewrapped = 0;
  const failed: { id: string; error: Error }[] = [];
  try {
    for (let e = 1; e < to.epoch; e++) {
      const before = rewrapped;
      const res = await col.rewrap(createWriterKey(authority, { tenant, epoch: e }), to, { onProgress: (done) => progress.update(before + done) });
      rewrapped += res.rewrapped;
      failed.push(...res.failed);
    }
  } finally {
    progress.finish();
  }
  return { rewrapped, failed };
}

export async function rewrap(opts: RewrapCommandOptions, io: Io): Promise<void> {
  const kd = keyDirFor(io, opts);
  const authority = await kd.authority();
  const r = createReporter(io, opts);
  if (opts.input !== undefined) {
    if (opts.output === undefined) throw new UsageError('rewrap -i FILE needs -o FILE (which may be the same file)');
    const counts = await transformSealedFile(opts.input, opts.output, io, opts, 'rewrap', async (h) => {
      if (h.scheme.authority !== authority.id) {
        throw new SchemeMismatch(`${opts.input} is sealed for authority ${h.scheme.authority}; this key directory holds authority ${authority.id}`);
      }
      const scheme = trustFileScheme(h.scheme, opts.input!, authority.publicKey, { allowV1: true });
      if (scheme.version !== 2) throw new SchemeMismatch(`${opts.input} is a format v1 file: migrate it with "sealvec rotate" (which re-seals every record)`);
      const to = createWriterKey(authority, { tenant: h.tenant });
      const byEpoch = new Map<number, Rewrapper>();
      const transform = (rec: SealedRecord): SealedRecord | null => {
        if (rec.epoch === to.epoch) return null;
        if (rec.epoch > to.epoch) {
          throw new SchemeMismatch(`record is at epoch ${rec.epoch}, later than the authority's current epoch ${to.epoch} (stale key directory?)`);
        }
        let rw = byEpoch.get(rec.epoch);
        if (rw === undefined) {
          rw = createRewrapper({ from: createWriterKey(authority, { tenant: h.tenant, epoch: rec.epoch }), to, collection: h.collection });
          byEpoch.set(rec.epoch, rw);
        }
        return rw.rewrap(rec);
      };
      return { transform, scheme };
    });
    r.result(
      { output: opts.output, records: counts.records, rewrapped: counts.changed, epoch: authority.epoch },
      `Rewrapped ${plural(counts.changed, 'record')} of ${counts.records} to epoch ${authority.epoch} in ${opts.output}`,
    );
    return;
  }
  if (opts.output !== undefined) throw new UsageError('-o goes with -i (a collection is rewrapped in place)');
  const name = opts.collection ?? DEFAULT_COLLECTION;
  const tenant = opts.tenant ?? '';
  const keyset = await kd.keyset();
  const { backend, label } = await openBackend(opts, io);
  try {
    const col = await SealedCollection.open(backend, { name, keyset, tenant, authority: authority.publicKey });
    // Rewrap filters on the epoch; a collection made before that field was indexed is refused by
    // Qdrant in strict mode, so the index is added first (idempotent, one request when present).
    const added = await col.ensureIndexes();
    if (added.length > 0) r.note(`Added the missing payload index${added.length > 1 ? 'es' : ''} ${added.join(', ')} to "${name}"`);
    const { rewrapped, failed } = await rewrapOlderEpochs(col, backend, authority, createWriterKey(authority, { tenant }), io, opts);
    if (failed.length > 0) throw failuresError('rewrapped', failed);
    r.result({ collection: name, backend: label, rewrapped, epoch: authority.epoch }, `Rewrapped ${plural(rewrapped, 'record')} of "${name}" (${label}) to epoch ${authority.epoch}`);
  } finally {
    await backend.close();
  }
}

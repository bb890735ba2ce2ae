/**
 * `sealvec rotate`: after `keys rotate` made a new primary vector key, re-encrypt records under
 * it (vector, payload and header sealed afresh from what the writer key opens). Records at an
 * older epoch are moved to the current epoch too. Then `keys retire` the old key.
 */
import { createOpener, createSealer, createWriterKey, SchemeMismatch, type Opener, type WriterKey } from '@sealvec/core';
import { countRecords, SealedCollection } from '@sealvec/qdrant';
import { openBackend, type BackendOptions } from '../backend.js';
import { KeyFileError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { keyDirFor } from '../keyfiles.js';
import { createProgress } from '../progress.js';
import { createReporter, plural } from '../report.js';
import { cipherFor, DEFAULT_COLLECTION } from '../scheme.js';
import { transformSealedFile } from './file-transform.js';
import { failuresError, rewrapOlderEpochs, type RewrapCommandOptions } from './rewrap.js';

export type RotateCommandOptions = RewrapCommandOptions & BackendOptions;

export async function rotate(opts: RotateCommandOptions, io: Io): Promise<void> {
  const kd = keyDirFor(io, opts);
  const keyset = await kd.keyset();
  const r = createReporter(io, opts);
  const authority = (await kd.has('authority')) ? await kd.authority() : undefined;
  if (opts.input !== undefined) {
    if (opts.output === undefined) throw new UsageError('rotate -i FILE needs -o FILE (which may be the same file)');
    const counts = await transformSealedFile(opts.input, opts.output, io, opts, 'rotate', async (h) => {
      const writer = await kd.writer(h.tenant);
      if (h.scheme.authority !== writer.authorityId) {
        throw new SchemeMismatch(`${opts.input} is sealed for authority ${h.scheme.authority}; this key directory holds authority ${writer.authorityId}`);
      }
      const writers = new Map<number, WriterKey>([[writer.epoch, writer]]);
      const writerFor = (epoch: number): WriterKey => {
        let w = writers.get(epoch);
        if (w === undefined) {
          if (authority === undefined) throw new KeyFileError(`a record is at epoch ${epoch}; opening it needs authority.json (or rewrap the file first)`);
          w = createWriterKey(authority, { tenant: h.tenant, epoch });
          writers.set(epoch, w);
        }
        return w;
      };
      const openers = new Map<string, Opener>();
      const openerFor = (kid: string): Opener => {
        let o = openers.get(kid);
        if (o === undefined) {
          o = createOpener({ cipher: cipherFor(keyset.get(kid), h.scheme, h.tenant), collection: h.collection });
          openers.set(kid, o);
        }
        return o;
      };
      const sealer = createSealer({
        writer,
        cipher: cipherFor(keyset.primary, h.scheme, h.tenant),
        collection: h.collection,
        prefilter: h.scheme.prefilter,
        blindIndex: h.scheme.blindIndexFields,
        exactVector: h.scheme.exactVector,
      });
      return (rec) => {
        if (rec.kid === keyset.primary.kid && rec.epoch === writer.epoch) return null;
        const plain = openerFor(rec.kid).openWithWriter(rec, writerFor(rec.epoch));
        return sealer.seal({ id: rec.id, vector: plain.vector!, payload: plain.payload, policy: plain.policy });
      };
    });
    r.result(
      { output: opts.output, records: counts.records, reencrypted: counts.changed, kid: keyset.primary.kid },
      `Re-encrypted ${plural(counts.changed, 'record')} of ${counts.records} under vector key ${keyset.primary.kid} in ${opts.output}`,
    );
    return;
  }
  if (opts.output !== undefined) throw new UsageError('-o goes with -i (a collection is rotated in place)');
  const name = opts.collection ?? DEFAULT_COLLECTION;
  const tenant = opts.tenant ?? '';
  const writer = await kd.writer(tenant);
  const { backend, label } = await openBackend(opts, io);
  try {
    const col = await SealedCollection.open(backend, { name, keyset, tenant });
    let rewrapped = 0;
    // rotateKey opens records with one writer key: bring older epochs to the current one first.
    if (authority !== undefined) {
      const res = await rewrapOlderEpochs(col, backend, authority, writer, io, opts);
      if (res.failed.length > 0) throw failuresError('rewrapped', res.failed);
      rewrapped = res.rewrapped;
    }
    const remaining = await countRecords(backend, name, { tenant, notKid: keyset.primary.kid });
    const progress = createProgress(io, opts, { label: `rotate "${name}"`, total: () => remaining });
    let res: Awaited<ReturnType<SealedCollection['rotateKey']>>;
    try {
      res = await col.rotateKey(keyset, writer, { onProgress: (done) => progress.update(done) });
    } finally {
      progress.finish();
    }
    if (res.failed.length > 0) throw failuresError('re-encrypted', res.failed);
    r.result(
      { collection: name, backend: label, reencrypted: res.reencrypted, rewrapped, kid: keyset.primary.kid },
      `Re-encrypted ${plural(res.reencrypted, 'record')} of "${name}" (${label}) under vector key ${keyset.primary.kid}` +
        (rewrapped ? ` (after rewrapping ${rewrapped} to epoch ${writer.epoch})` : ''),
    );
  } finally {
    await backend.close();
  }
}

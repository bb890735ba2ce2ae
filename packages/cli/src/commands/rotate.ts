/**
 * `sealvec rotate`: after `keys rotate` made a new primary vector key, re-encrypt records under
 * it (vector, payload and header sealed afresh from what the writer key opens). Records at an
 * older epoch are moved to the current epoch too. Then `keys retire` the old key.
 *
 * It is also how format v1 data (unsigned scheme, unsigned records) becomes v2: with --allow-v1
 * a v1 file or collection is re-sealed record by record under the new primary key, and its
 * scheme signed by the writer key (a euclid file needs --scale, the data's typical norm, which
 * v1 never recorded; a collection measures it).
 */
import {
  checkBetaFloor,
  createOpener,
  createSealer,
  createWriterKey,
  SchemeMismatch,
  signScheme,
  type Opener,
  type SealedRecord,
  type WriterKey,
} from '@sealvec/core';
import { countRecords, SealedCollection } from '@sealvec/qdrant';
import { openBackend, type BackendOptions } from '../backend.js';
import { KeyFileError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { keyDirFor } from '../keyfiles.js';
import { createProgress } from '../progress.js';
import { createReporter, plural } from '../report.js';
import { cipherFor, collectionTrust, DEFAULT_COLLECTION, trustFileScheme, type Scheme } from '../scheme.js';
import { transformSealedFile } from './file-transform.js';
import { failuresError, rewrapOlderEpochs, type RewrapCommandOptions } from './rewrap.js';

export type RotateCommandOptions = RewrapCommandOptions &
  BackendOptions & {
    /** Migrate format v1 data (whose scheme is not signed). */
    allowV1?: boolean | undefined;
    /** Euclid v1 file migration: the data's typical norm. */
    scale?: number | undefined;
  };

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
      const old = trustFileScheme(h.scheme, opts.input!, writer.authorityKey, { allowV1: opts.allowV1 === true, warn: (l) => io.stderr.write(`${l}\n`) });
      let scheme: Scheme;
      if (old.version === 2) scheme = old;
      else {
        if (old.metric === 'euclid' && opts.scale === undefined) throw new UsageError('migrating a euclid v1 file needs --scale (the data\'s typical norm, which v1 never recorded)');
        const { version: _v, ...fields } = old;
        void _v;
        scheme = signScheme({ ...fields, scale: old.metric === 'euclid' ? opts.scale! : null, legacyKids: [] }, writer);
        // A v1 euclid beta could not be checked against the floor (no scale recorded): the new scheme's is.
        checkBetaFloor(scheme);
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
          // The records' own format: v1 records of a file being migrated are read with v1 ciphers.
          o = createOpener({ cipher: cipherFor(keyset.get(kid), old, h.tenant), collection: h.collection });
          openers.set(kid, o);
        }
        return o;
      };
      const sealer = createSealer({
        writer,
        cipher: cipherFor(keyset.primary, scheme, h.tenant),
        collection: h.collection,
        prefilter: scheme.prefilter,
        blindIndex: scheme.blindIndexFields,
        exactVector: scheme.exactVector,
      });
      const transform = (rec: SealedRecord): SealedRecord | null => {
        if (rec.version === 2 && rec.kid === keyset.primary.kid && rec.epoch === writer.epoch) return null;
        const plain = openerFor(rec.kid).openWithWriter(rec, writerFor(rec.epoch));
        return sealer.seal({ id: rec.id, vector: plain.vector!, payload: plain.payload, policy: plain.policy });
      };
      return { transform, scheme: scheme as Extract<Scheme, { version: 2 }> };
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
    const trust = await collectionTrust(backend, name, opts.allowV1 === true, (line) => io.stderr.write(`${line}\n`));
    const col = await SealedCollection.open(backend, { name, keyset, tenant, authority: writer, ...trust });
    let rewrapped = 0;
    // A v1 collection, or one whose migration was interrupted (its signed scheme still lists
    // legacy keys), holds v1 records at older epochs.
    const v1 = col.scheme.version === 1 || col.scheme.legacyKids.length > 0;
    // rotateKey opens records with one writer key: bring older epochs to the current one first
    // (v1 records are not rewrapped: they are opened with the writer key of their epoch instead).
    const olderWriters = authority === undefined || !v1 ? [] : Array.from({ length: authority.epoch - 1 }, (_, i) => createWriterKey(authority, { tenant, epoch: i + 1 }));
    if (authority !== undefined && !v1) {
      const res = await rewrapOlderEpochs(col, backend, authority, writer, io, opts);
      if (res.failed.length > 0) throw failuresError('rewrapped', res.failed);
      rewrapped = res.rewrapped;
    }
    const remaining = await countRecords(backend, name, { tenant, notKid: keyset.primary.kid });
    const progress = createProgress(io, opts, { label: `rotate "${name}"`, total: () => remaining });
    let res: Awaited<ReturnType<SealedCollection['rotateKey']>>;
    try {
      res = await col.rotateKey(keyset, writer, { onProgress: (done) => progress.update(done), openWith: olderWriters });
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

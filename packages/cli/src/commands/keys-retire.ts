/**
 * `sealvec keys retire --kid K`: removes an old vector key from the keyset, but only once no
 * collection still holds records under it (records under a retired key can no longer be read or
 * searched: retiring too early loses data). It checks the store the command would use (Qdrant
 * with --qdrant / QDRANT_URL, else the embedded store): every collection it lists, or the ones
 * named with --collection. `--force` skips the check. Sealed files are not checked (`sealvec
 * inspect FILE` shows the vector keys a file uses).
 */
import { NotFound } from '@sealvec/core';
import { countRecords, type Backend } from '@sealvec/qdrant';
import { openBackend, qdrantUrl, storeDir, storeExists, type BackendOptions } from '../backend.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import type { GlobalOptions } from '../global-options.js';
import type { Io } from '../io.js';
import { keyDirFor } from '../keyfiles.js';
import { createReporter, plural } from '../report.js';

export interface RetireOptions extends GlobalOptions, BackendOptions {
  kid: string;
  /** Collections to check (default: every collection the store lists). */
  collection?: string[] | undefined;
  force?: boolean | undefined;
}

export interface KeyUsage {
  /** The store checked ("embedded store DIR", "Qdrant at URL"), or null when there is none. */
  store: string | null;
  collections: { collection: string; records: number }[];
}

/** Whether a collection's metadata is a Sealvec scheme (other collections may share a Qdrant). */
function isSealvecCollection(metadata: Record<string, unknown>): boolean {
  return typeof metadata.sealvec === 'number' && typeof metadata.authority === 'string';
}

/**
 * Records under vector key `kid` in each collection of `backend` (the listed ones, or `names`).
 * Refuses (exit 2) when the backend cannot list its collections and none were named.
 */
export async function keyUsageIn(backend: Backend, label: string, kid: string, names?: readonly string[]): Promise<KeyUsage> {
  let list = names;
  if (list === undefined || list.length === 0) {
    if (typeof backend.listCollections !== 'function') {
      throw new UsageError(`cannot list the collections of ${label} to check that none still uses vector key ${kid}: name them with --collection (repeatable), or use --force`);
    }
    list = await backend.listCollections();
  }
  const collections: KeyUsage['collections'] = [];
  for (const name of list) {
    const desc = await backend.describe(name);
    if (desc === null) {
      if (names?.includes(name)) throw new NotFound(`collection "${name}" does not exist in ${label}`);
      continue;
    }
    if (!isSealvecCollection(desc.metadata)) continue;
    collections.push({ collection: name, records: await countRecords(backend, name, { kid }) });
  }
  return { store: label, collections };
}

async function keyUsage(kid: string, opts: RetireOptions, io: Io): Promise<KeyUsage> {
  if (qdrantUrl(opts, io) === undefined && !(await storeExists(io, opts.store))) {
    if (opts.collection?.length) throw new NotFound(`there is no embedded store at ${storeDir(io, opts.store)} (give --store DIR or --qdrant URL)`);
    return { store: null, collections: [] };
  }
  const { backend, label } = await openBackend(opts, io);
  try {
    return await keyUsageIn(backend, label, kid, opts.collection);
  } finally {
    await backend.close();
  }
}

export async function keysRetire(opts: RetireOptions, io: Io): Promise<void> {
  const kd = keyDirFor(io, opts);
  const keyset = await kd.keyset();
  // Refuses the primary key and unknown ids before any store is contacted.
  const next = keyset.retire(opts.kid);
  const r = createReporter(io, opts);
  let usage: KeyUsage | null = null;
  if (opts.force) {
    r.warn(`retiring vector key ${opts.kid} without checking the store (--force): records still under it can no longer be read or searched`);
  } else {
    usage = await keyUsage(opts.kid, opts, io);
    const inUse = usage.collections.filter((c) => c.records > 0);
    if (inUse.length > 0) {
      throw new CliError(
        `vector key ${opts.kid} still encrypts records in ${usage.store}: ${inUse.map((c) => `"${c.collection}" (${plural(c.records, 'record')})`).join(', ')}. ` +
          `Re-encrypt them first (sealvec rotate --collection NAME), or retire with --force (they can then no longer be read or searched)`,
        EXIT.USAGE,
        'ERR_KEY_IN_USE',
      );
    }
  }
  await kd.write('vectors', next.export());
  const checked = usage === null ? 'not checked (--force)' : usage.store === null ? 'no store to check' : `${plural(usage.collections.length, 'collection')} checked in ${usage.store}`;
  r.result(
    { retired: opts.kid, keys: next.info().keys.map((k) => k.kid), checked: usage },
    [`Retired vector key ${opts.kid} (${checked}); the keyset now holds ${next.info().keys.map((k) => k.kid).join(', ')}`],
  );
}

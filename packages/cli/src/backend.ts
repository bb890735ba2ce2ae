/**
 * Which store a command talks to: Qdrant when --qdrant (or QDRANT_URL) is given, else the
 * embedded store persisted under --store (or SEALVEC_STORE, default ./.sealvec/store). The API
 * key is read from --api-key or QDRANT_API_KEY and never printed.
 */
import { resolve } from 'node:path';
import { LocalBackend, QdrantBackend, type Backend } from '@sealvec/qdrant';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

export interface BackendOptions {
  qdrant?: string | undefined;
  apiKey?: string | undefined;
  store?: string | undefined;
}

export interface OpenedBackend {
  backend: Backend;
  /** For messages: "Qdrant at URL" or "embedded store DIR". */
  label: string;
  kind: 'qdrant' | 'local';
}

export function storeDir(io: Pick<Io, 'env' | 'cwd'>, explicit?: string): string {
  if (explicit !== undefined) return resolve(io.cwd, explicit);
  const env = io.env.SEALVEC_STORE;
  if (env !== undefined && env !== '') return resolve(io.cwd, env);
  return resolve(io.cwd, '.sealvec', 'store');
}

export async function openBackend(opts: BackendOptions, io: Pick<Io, 'env' | 'cwd'>): Promise<OpenedBackend> {
  const url = opts.qdrant ?? (io.env.QDRANT_URL || undefined);
  if (url !== undefined) {
    if (opts.store !== undefined) throw new UsageError('--store and --qdrant exclude each other');
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--qdrant expected an http(s) URL, got ${JSON.stringify(url)}`);
    const apiKey = opts.apiKey ?? (io.env.QDRANT_API_KEY || undefined);
    const backend = new QdrantBackend({ url, ...(apiKey !== undefined ? { apiKey } : {}) });
    // The URL may carry credentials (https://user:pass@host): show the origin without them.
    let shown = url;
    try {
      const u = new URL(url);
      shown = `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
    } catch {
      // Keep what was given; it was validated above.
    }
    return { backend, label: `Qdrant at ${shown}`, kind: 'qdrant' };
  }
  if (opts.apiKey !== undefined) throw new UsageError('--api-key needs --qdrant (or QDRANT_URL)');
  const dir = storeDir(io, opts.store);
  const backend = await LocalBackend.open({ path: dir });
  return { backend, label: `embedded store ${dir}`, kind: 'local' };
}

/**
 * Which store a command talks to: Qdrant when --qdrant (or QDRANT_URL) is given, else the
 * embedded store persisted under --store (or SEALVEC_STORE, default ./.sealvec/store). The API
 * key is read from --api-key or QDRANT_API_KEY and never printed. Qdrant retries are reported
 * through the logger hook as warnings (status and error code only, never a request body).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LocalBackend, QdrantBackend, type Backend, type Logger, type RetryInfo } from '@sealvec/qdrant';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { createLogger, type LogFlags } from './log.js';

export interface BackendOptions extends LogFlags {
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

/** The Qdrant URL in effect (--qdrant, else QDRANT_URL), if any. */
export function qdrantUrl(opts: BackendOptions, io: Pick<Io, 'env'>): string | undefined {
  return opts.qdrant ?? (io.env.QDRANT_URL || undefined);
}

/** A short, secret-free description of a failed request: status, timeout or socket error code. */
export function describeRetryError(e: unknown, secrets: readonly string[] = []): string {
  const o = (e ?? {}) as { status?: unknown; statusText?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } };
  if (typeof o.status === 'number') return `HTTP ${o.status}${typeof o.statusText === 'string' && o.statusText ? ` ${o.statusText}` : ''}`;
  const name = typeof o.name === 'string' ? o.name : '';
  if (/Timeout/i.test(name)) return 'timed out';
  if (/ResourceExhausted/.test(name)) return 'HTTP 429 Too Many Requests';
  if (typeof o.cause?.code === 'string') return o.cause.code;
  let text = typeof o.message === 'string' ? o.message : String(e);
  text = text.replace(/\/\/[^/@\s]*@/g, '//');
  for (const s of secrets) if (s) text = text.split(s).join('***');
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

export function retryReporter(logger: Logger, secrets: readonly string[]): (info: RetryInfo) => void {
  return (info) => {
    const why = describeRetryError(info.error, secrets);
    logger({
      level: 'warn',
      event: 'backend.retry',
      message: `Qdrant: ${info.op} failed (${why}); retrying in ${info.delayMs} ms (attempt ${info.attempt + 1})`,
      fields: { op: info.op, attempt: info.attempt, delayMs: info.delayMs, error: why },
    });
  };
}

/** Whether the embedded store directory exists (commands that only look never create it). */
export async function storeExists(io: Pick<Io, 'env' | 'cwd'>, explicit?: string): Promise<boolean> {
  try {
    return (await stat(storeDir(io, explicit))).isDirectory();
  } catch {
    return false;
  }
}

export async function openBackend(opts: BackendOptions, io: Pick<Io, 'env' | 'cwd' | 'stderr'>, logger: Logger = createLogger(io, opts)): Promise<OpenedBackend> {
  const url = qdrantUrl(opts, io);
  if (url !== undefined) {
    if (opts.store !== undefined) throw new UsageError('--store and --qdrant exclude each other');
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--qdrant expected an http(s) URL, got ${JSON.stringify(url)}`);
    const apiKey = opts.apiKey ?? (io.env.QDRANT_API_KEY || undefined);
    const backend = new QdrantBackend({ url, ...(apiKey !== undefined ? { apiKey } : {}), onRetry: retryReporter(logger, apiKey !== undefined ? [apiKey] : []) });
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

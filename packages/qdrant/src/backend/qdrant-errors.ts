/**
 * What went wrong with a request made through @qdrant/js-client-rest 1.18 or 1.19, and the coded
 * error we raise for it. Pure: inspects error objects, performs no I/O. Client errors are
 * recognised by name as well as by class, because an injected client may come from another copy
 * of the package (classes from two copies are never `instanceof` each other).
 *
 * The client fails in these shapes (read from its sources, dist/esm/api-client.js and
 * @qdrant/openapi-typescript-fetch's fetcher.js):
 * - HTTP error: an ApiError with `status`, `statusText`, `headers` and the parsed body in `data`.
 *   Its `message` is only the status text; Qdrant's own words are in `data.status.error`.
 * - 429 with a Retry-After header: QdrantClientResourceExhaustedError carrying `retry_after`
 *   seconds but not the status or body. The client reads the header with `get(...)?.[0]`, i.e.
 *   only its first character: "12" arrives as 1 s. We take that as a lower bound and let our
 *   exponential backoff grow past it. A non-numeric header (an HTTP date) makes the client throw
 *   a plain error "Invalid retryAfter value: ..." instead, which we also read as a 429.
 * - timeout: QdrantClientTimeoutError (its per-request AbortController fired).
 * - network: fetch's TypeError "fetch failed" with the undici/socket error as `cause`
 *   (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET "other side closed", ...).
 */
import { QdrantClientResourceExhaustedError, QdrantClientTimeoutError } from '@qdrant/js-client-rest';
import { BackendError, Conflict, NotFound } from '@sealvec/core';

export type Failure =
  | { kind: 'http'; status: number; detail: string | undefined; retryAfterMs: number | undefined }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string }
  | { kind: 'unconfirmed'; status: string }
  | { kind: 'other' };

/** Our own deadline fired (QdrantBackend races requests of an injected client against it). */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/**
 * A write asked with wait=true came back without `status: "completed"`: with a `timeout`,
 * Qdrant >= 1.17 answers `wait_timeout` once the wait outlives it (tests/openapi/
 * test_wait_timeout.py). The write is queued and will apply; re-sending it is safe (idempotent).
 */
export class UnconfirmedWrite extends Error {
  override readonly name = 'UnconfirmedWrite';
  constructor(readonly status: string) {
    super(`the server answered ${JSON.stringify(status)} instead of "completed"`);
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

interface ApiErrorLike {
  status: number;
  statusText?: string;
  data?: unknown;
  headers?: { get(name: string): string | null };
}

function isApiError(e: unknown): e is ApiErrorLike {
  return e instanceof Error && typeof (e as { status?: unknown }).status === 'number' && 'data' in e;
}

/** Qdrant's error text from a response body: `{ status: { error } }`, or a plain text body. */
export function qdrantDetail(data: unknown): string | undefined {
  if (typeof data === 'string') return data.length > 0 ? data.slice(0, 2000) : undefined;
  if (data !== null && typeof data === 'object') {
    const status = (data as { status?: unknown }).status;
    if (status !== null && typeof status === 'object') {
      const err = (status as { error?: unknown }).error;
      if (typeof err === 'string') return err;
    }
  }
  return undefined;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

function networkCode(e: unknown): string | undefined {
  // undici wraps the socket error: TypeError('fetch failed', { cause }) and sometimes one level more.
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur !== null && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  if (e instanceof TypeError && e.message === 'fetch failed') return 'FETCH_FAILED';
  if (e instanceof Error && /socket hang up|other side closed/i.test(e.message)) return 'ECONNRESET';
  return undefined;
}

const named = (e: unknown, name: string): e is Error => e instanceof Error && e.name === name;

export function classify(e: unknown): Failure {
  if (e instanceof UnconfirmedWrite) return { kind: 'unconfirmed', status: e.status };
  if (e instanceof DeadlineExceeded) return { kind: 'timeout' };
  if (e instanceof QdrantClientResourceExhaustedError || named(e, 'QdrantClientResourceExhaustedError')) {
    const s = (e as { retry_after?: unknown }).retry_after;
    return { kind: 'http', status: 429, detail: e.message || undefined, retryAfterMs: typeof s === 'number' ? s * 1000 : undefined };
  }
  if (e instanceof Error && e.message.startsWith('Invalid retryAfter value')) {
    return { kind: 'http', status: 429, detail: undefined, retryAfterMs: undefined };
  }
  if (isApiError(e)) {
    const retryAfterMs = e.status === 429 || e.status === 503 ? parseRetryAfter(e.headers?.get('retry-after')) : undefined;
    return { kind: 'http', status: e.status, detail: qdrantDetail(e.data) ?? e.statusText, retryAfterMs };
  }
  if (e instanceof QdrantClientTimeoutError || named(e, 'QdrantClientTimeoutError')) return { kind: 'timeout' };
  const code = networkCode(e);
  if (code !== undefined) return { kind: 'network', code };
  return { kind: 'other' };
}

/**
 * 429, 408, 5xx, timeouts, dropped connections and unconfirmed writes are worth another attempt;
 * other 4xx are not (a strict-mode refusal or a bad body fails the same way every time).
 */
export function isRetryable(f: Failure): boolean {
  switch (f.kind) {
    case 'http':
      return f.status === 429 || f.status === 408 || f.status >= 500;
    case 'timeout':
    case 'network':
    case 'unconfirmed':
      return true;
    case 'other':
      return false;
  }
}

/** actix-web's body-limit errors (JsonPayloadError Overflow / OverflowKnownLength), answered 400. */
const BODY_TOO_LARGE = /JSON payload (\(\d+ bytes\) is larger than allowed|has exceeded limit)/;
/** Strict mode's `upsert_max_batchsize` (lib/collection/src/operations/verification/update.rs). */
const UPSERT_LIMIT = /Limit exceeded \d+ > (\d+) for "upsert limit"/;

/**
 * How to split a batch the server refused for its size, or null when the refusal is not about
 * size (then splitting cannot help, and every smaller request would fail the same way). A body
 * over the server's limit (413 from a proxy, 400 from Qdrant itself) is halved; a strict-mode
 * batch limit gives the largest batch allowed, so the batch is cut to it in one step.
 */
export function sizeSplit(f: Failure, batchLength: number): number | null {
  if (f.kind !== 'http' || batchLength < 2) return null;
  const limit = f.status === 400 ? UPSERT_LIMIT.exec(f.detail ?? '') : null;
  if (limit !== null) {
    const max = Number(limit[1]);
    return max >= 1 && max < batchLength ? max : null;
  }
  if (f.status === 413 || (f.status === 400 && BODY_TOO_LARGE.test(f.detail ?? ''))) return Math.ceil(batchLength / 2);
  return null;
}

/** A short public description of a failure for logs: status, kind or code, never a body. */
export function failureReason(f: Failure): string {
  switch (f.kind) {
    case 'http':
      return `HTTP ${f.status}`;
    case 'timeout':
      return 'timeout';
    case 'network':
      return `connection error ${f.code}`;
    case 'unconfirmed':
      return `write not confirmed (${f.status})`;
    case 'other':
      return 'client error';
  }
}

function isAlreadyExists(f: Failure): boolean {
  return f.kind === 'http' && (f.status === 409 || (f.status === 400 && /already exists/i.test(f.detail ?? '')));
}

/**
 * The coded error for a failed operation. 404 becomes NotFound and "already exists" Conflict
 * (each with the BackendError as cause); everything else is a BackendError carrying Qdrant's
 * status and message.
 */
export function toCodedError(f: Failure, op: string, cause: unknown, timeoutMs?: number): Error {
  let be: BackendError;
  switch (f.kind) {
    case 'http':
      be = new BackendError(`Qdrant ${op} failed: HTTP ${f.status}${f.detail !== undefined ? `: ${f.detail}` : ''}`, {
        cause,
        status: f.status,
        ...(f.detail !== undefined ? { detail: f.detail } : {}),
      });
      if (f.status === 404) return new NotFound(`${op}: ${f.detail ?? 'not found'}`);
      if (isAlreadyExists(f)) return new Conflict(`${op}: ${f.detail ?? 'already exists'}`);
      return be;
    case 'timeout':
      return new BackendError(`Qdrant ${op} timed out${timeoutMs !== undefined ? ` after ${timeoutMs} ms` : ''}`, { cause });
    case 'network':
      return new BackendError(`Qdrant ${op} failed: connection error (${f.code})`, { cause, detail: f.code });
    case 'unconfirmed':
      return new BackendError(`Qdrant ${op} was not confirmed: ${(cause as Error).message}; it may still apply, and re-running it is safe`, {
        cause,
        detail: f.status,
      });
    case 'other':
      return new BackendError(`Qdrant ${op} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Retries with jittered exponential backoff. The delay before attempt n+1 is drawn uniformly
 * from [b/2, b] with b = min(maxMs, baseMs * 2^(n-1)) ("equal jitter": never zero, never in
 * lock-step with other clients); a server's Retry-After raises it, capped by maxRetryAfterMs so
 * a hostile or confused header cannot stall us for hours.
 */
import { aint } from './validate.js';

export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  attempts?: number;
  /** First backoff in ms (default 200). */
  baseMs?: number;
  /** Largest backoff in ms (default 10 000). */
  maxMs?: number;
  /** Largest wait honoured from a Retry-After header, in ms (default 60 000). */
  maxRetryAfterMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 200, maxMs: 10_000, maxRetryAfterMs: 60_000 };

export function retryPolicy(o: RetryOptions | undefined): RetryPolicy {
  if (o === undefined) return DEFAULT_RETRY;
  if (o === null || typeof o !== 'object') throw new TypeError('"retry" expected object');
  const p: RetryPolicy = {
    attempts: o.attempts === undefined ? DEFAULT_RETRY.attempts : aint(o.attempts, 'retry.attempts', 1, 100),
    baseMs: o.baseMs === undefined ? DEFAULT_RETRY.baseMs : aint(o.baseMs, 'retry.baseMs', 0, 3_600_000),
    maxMs: o.maxMs === undefined ? DEFAULT_RETRY.maxMs : aint(o.maxMs, 'retry.maxMs', 0, 3_600_000),
    maxRetryAfterMs:
      o.maxRetryAfterMs === undefined ? DEFAULT_RETRY.maxRetryAfterMs : aint(o.maxRetryAfterMs, 'retry.maxRetryAfterMs', 0, 3_600_000),
  };
  if (p.maxMs < p.baseMs) throw new RangeError(`"retry.maxMs" expected >= retry.baseMs (${p.baseMs}), got ${p.maxMs}`);
  return p;
}

/** Delay before the next attempt, after `attempt` (1-based) failed. `random` is in [0, 1). */
export function backoffMs(p: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: number): number {
  const b = Math.min(p.maxMs, p.baseMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = b / 2 + (b / 2) * random;
  const hinted = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, p.maxRetryAfterMs);
  return Math.round(Math.max(jittered, hinted));
}

export interface RetryInfo {
  /** What was being done, e.g. "upsert into docs". */
  op: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: unknown;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it succeeds, `shouldRetry(error)` says no, or the attempts are used up; then
 * rethrows the last error. `retryAfterMs(error)` extracts a server hint.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  p: RetryPolicy,
  op: string,
  shouldRetry: (e: unknown) => boolean,
  retryAfterMs: (e: unknown) => number | undefined,
  onRetry?: (info: RetryInfo) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= p.attempts || !shouldRetry(error)) throw error;
      const delayMs = backoffMs(p, attempt, retryAfterMs(error), Math.random());
      onRetry?.({ op, attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}

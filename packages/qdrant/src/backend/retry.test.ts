import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_RETRY, retryPolicy, withRetry, type RetryInfo } from './retry.js';

const runs = process.env['SLOW'] ? 1000 : 200;

describe('backoff', () => {
  it('is jittered within [b/2, b] for b = min(max, base * 2^(n-1)), raised by Retry-After up to its cap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (baseMs, extra, attempt, retryAfter, random) => {
          const p = { attempts: 5, baseMs, maxMs: baseMs + extra, maxRetryAfterMs: 60_000 };
          const d = backoffMs(p, attempt, retryAfter, random);
          const b = Math.min(p.maxMs, baseMs * 2 ** (attempt - 1));
          const floor = Math.max(b / 2, retryAfter === undefined ? 0 : Math.min(retryAfter, 60_000));
          expect(d).toBeGreaterThanOrEqual(Math.floor(floor));
          expect(d).toBeLessThanOrEqual(Math.ceil(Math.max(b, retryAfter === undefined ? 0 : Math.min(retryAfter, 60_000))));
        },
      ),
      { numRuns: runs },
    );
  });

  it('grows exponentially and caps', () => {
    const p = { ...DEFAULT_RETRY, baseMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(p, n, undefined, 0.999999))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(p, 1, 5_000, 0)).toBe(5_000);
    expect(backoffMs(p, 1, 10 * 60_000, 0)).toBe(60_000);
  });
});

describe('retryPolicy', () => {
  it('fills defaults and keeps given values', () => {
    expect(retryPolicy(undefined)).toEqual(DEFAULT_RETRY);
    expect(retryPolicy({ attempts: 2, baseMs: 1, maxMs: 5 })).toEqual({ attempts: 2, baseMs: 1, maxMs: 5, maxRetryAfterMs: 60_000 });
  });

  it('rejects bad values naming the option', () => {
    expect(() => retryPolicy({ attempts: 0 })).toThrow(/"retry.attempts"/);
    expect(() => retryPolicy({ attempts: 1.5 })).toThrow(TypeError);
    expect(() => retryPolicy({ baseMs: -1 })).toThrow(RangeError);
    expect(() => retryPolicy({ baseMs: 10, maxMs: 5 })).toThrow(/"retry.maxMs"/);
    expect(() => retryPolicy({ maxRetryAfterMs: Number.NaN })).toThrow(TypeError);
    expect(() => retryPolicy(null as unknown as object)).toThrow(TypeError);
  });
});

describe('withRetry', () => {
  const p = { attempts: 4, baseMs: 0, maxMs: 0, maxRetryAfterMs: 0 };

  it('retries retryable failures and returns the first success', async () => {
    const seen: RetryInfo[] = [];
    let calls = 0;
    const v = await withRetry(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw new Error(`fail ${attempt}`);
        return 'ok';
      },
      p,
      'op',
      () => true,
      () => undefined,
      (i) => seen.push(i),
    );
    expect(v).toBe('ok');
    expect(calls).toBe(3);
    expect(seen.map((i) => [i.op, i.attempt, (i.error as Error).message])).toEqual([
      ['op', 1, 'fail 1'],
      ['op', 2, 'fail 2'],
    ]);
  });

  it('stops at the attempt limit and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(async (a) => { calls++; throw new Error(`fail ${a}`); }, p, 'op', () => true, () => undefined),
    ).rejects.toThrow('fail 4');
    expect(calls).toBe(4);
  });

  it('does not retry what shouldRetry refuses', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => { calls++; throw new Error('fatal'); }, p, 'op', () => false, () => undefined),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
  });
});

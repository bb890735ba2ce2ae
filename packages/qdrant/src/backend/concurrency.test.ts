import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLimiter, mapLimit } from './concurrency.js';

const runs = process.env['SLOW'] ? 300 : 50;
const tick = () => new Promise<void>((r) => setImmediate(r));

describe('limiter', () => {
  it('never runs more than n tasks at once and runs them all, results in order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }), async (n, waits) => {
        let active = 0;
        let peak = 0;
        const out = await mapLimit(waits, n, async (w, i) => {
          active++;
          peak = Math.max(peak, active);
          for (let k = 0; k < w; k++) await tick();
          active--;
          return i;
        });
        expect(out).toEqual(waits.map((_, i) => i));
        expect(peak).toBeLessThanOrEqual(n);
        if (waits.length >= n && waits.some((w) => w > 0)) expect(peak).toBeGreaterThan(0);
      }),
      { numRuns: runs },
    );
  });

  it('frees the slot when a task fails', async () => {
    const lim = createLimiter(1);
    await expect(lim.run(async () => { throw new Error('x'); })).rejects.toThrow('x');
    expect(await lim.run(async () => 7)).toBe(7);
  });
});

import { describe, expect, it } from 'vitest';
import { renderSealReport, runSealBench } from './seal-bench.js';

describe('seal bench', () => {
  it('measures every operation (cross-checked before timing) and renders both implementations side by side', () => {
    const native = runSealBench({ dims: [16], minMs: 1, runs: 1 });
    expect(native.rows.length).toBeGreaterThanOrEqual(15);
    for (const r of native.rows) {
      expect(r.dimension).toBe(16);
      expect(r.perSec).toBeGreaterThan(0);
      expect(r.usEach).toBeCloseTo(1e6 / r.perSec, 6);
    }
    const ops = native.rows.map((r) => r.op);
    for (const op of ['encrypt', 'decrypt', 'query', 'seal', 'open, full', 'open, vector only', 'rewrap']) expect(ops.some((o) => o.startsWith(op))).toBe(true);
    const portable = { implementation: 'portable' as const, rows: native.rows.slice(0, 3).map((r) => ({ ...r, perSec: r.perSec / 2 })) };
    const md = renderSealReport(native, portable, { quick: true, date: '2026-11-30', argv: 'pnpm bench:seal --quick' });
    expect(md).toContain('## d = 16');
    expect(md).toContain('| 2.00x |');
    // Rows the portable run lacks are shown as missing, not invented.
    expect(md).toMatch(/\| rewrap record \(2 tuples\) \| [\d,.]+ \([\d,.]+\) \| [\d.]+ \| - \| - \| - \|/);
  });
});

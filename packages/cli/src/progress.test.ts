import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from './io.js';
import { createProgress, formatDuration, progressLine } from './progress.js';

function io(isTTY: boolean, env: Record<string, string> = {}): Io & { text: () => string } {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (d: Buffer) => (text += d.toString()));
  return { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env, isTTY, cwd: '/', text: () => text };
}

describe('progress', () => {
  it('formats count, rate, percentage and ETA', () => {
    expect(progressLine('encrypt', 5000, 2, 0.25)).toBe('encrypt: 5,000 records, 2500/s, 25.0%, ETA 6s');
    expect(progressLine('encrypt', 30_000, 2, undefined)).toBe('encrypt: 30,000 records, 15.0k/s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(75)).toBe('1m15s');
  });

  it('draws only on a terminal and not with --quiet', async () => {
    let t = 0;
    const now = () => (t += 1000);
    for (const [tty, quiet, shown] of [
      [true, false, true],
      [false, false, false],
      [true, true, false],
    ] as const) {
      const x = io(tty);
      const p = createProgress(x, { label: 'encrypt', quiet, total: () => 10, now });
      p.update(5);
      p.finish();
      await new Promise((r) => setImmediate(r));
      expect(x.text().includes('encrypt: 5 records'), `tty=${tty} quiet=${quiet}`).toBe(shown);
    }
  });

  it('uses no colour under NO_COLOR', async () => {
    let t = 0;
    const x = io(true, { NO_COLOR: '1' });
    const p = createProgress(x, { label: 'encrypt', quiet: false, now: () => (t += 1000) });
    p.update(1);
    await new Promise((r) => setImmediate(r));
    expect(x.text()).not.toMatch(/\x1b\[2m/);
    const y = io(true);
    const q = createProgress(y, { label: 'encrypt', quiet: false, now: () => (t += 1000) });
    q.update(1);
    await new Promise((r) => setImmediate(r));
    expect(y.text()).toMatch(/\x1b\[2m/);
  });
});

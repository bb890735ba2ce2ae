import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from './io.js';
import { createProgress, formatDuration, plainInterval, progressLine, progressRecord, resolveMode } from './progress.js';

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

  it('picks the mode: --quiet wins, auto follows the terminal', () => {
    expect(resolveMode({ isTTY: true }, {})).toBe('tty');
    expect(resolveMode({ isTTY: false }, {})).toBe('plain');
    expect(resolveMode({ isTTY: false }, { progress: 'tty' })).toBe('tty');
    expect(resolveMode({ isTTY: true }, { progress: 'plain' })).toBe('plain');
    expect(resolveMode({ isTTY: true }, { progress: 'tty', quiet: true })).toBe('none');
    expect(resolveMode({ isTTY: true }, { progress: 'none' })).toBe('none');
  });

  it('draws a redrawn line on a terminal, nothing with --quiet or none', async () => {
    let t = 0;
    const now = () => (t += 1000);
    for (const [tty, flags, shown] of [
      [true, {}, true],
      [true, { quiet: true }, false],
      [false, { progress: 'none' }, false],
    ] as const) {
      const x = io(tty);
      const p = createProgress(x, flags, { label: 'encrypt', total: () => 10, now });
      p.update(5);
      p.finish();
      await new Promise((r) => setImmediate(r));
      expect(x.text().startsWith('\r') && x.text().includes('encrypt: 5 records'), `tty=${tty} ${JSON.stringify(flags)}`).toBe(shown);
    }
  });

  it('writes a plain log line every interval when stderr is not a terminal (the piped 42 s encryption)', async () => {
    let t = 0;
    const x = io(false);
    const p = createProgress(x, {}, { label: 'encrypt', total: () => 100, now: () => t });
    for (let done = 1; done <= 100; done++) {
      t += 200;
      p.update(done);
    }
    p.finish();
    await new Promise((r) => setImmediate(r));
    const lines = x.text().split('\n').filter(Boolean);
    // 20 s of work, a line every 5 s.
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('sealvec: encrypt: 25 records, 5.0/s, 25.0%, ETA 15s');
    expect(x.text()).not.toMatch(/\r|\x1b/);
  });

  it('plain lines are JSON objects with --json, and the interval can be changed', async () => {
    let t = 0;
    const x = io(false, { SEALVEC_PROGRESS_INTERVAL: '0.5' });
    const p = createProgress(x, { json: true }, { label: 'ingest', now: () => t });
    t = 600;
    p.update(10);
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse(x.text())).toEqual({ progress: 'ingest', records: 10, rate: 16.7, fraction: null, etaSeconds: null });
    expect(progressRecord('rewrap', 50, 10, 0.5)).toEqual({ progress: 'rewrap', records: 50, rate: 5, fraction: 0.5, etaSeconds: 10 });
    expect(plainInterval({})).toBe(5000);
    expect(plainInterval({ SEALVEC_PROGRESS_INTERVAL: '0' })).toBe(0);
    expect(() => plainInterval({ SEALVEC_PROGRESS_INTERVAL: 'soon' })).toThrow(expect.objectContaining({ exitCode: 2 }));
  });

  it('uses no colour under NO_COLOR', async () => {
    let t = 0;
    const x = io(true, { NO_COLOR: '1' });
    const p = createProgress(x, {}, { label: 'encrypt', now: () => (t += 1000) });
    p.update(1);
    await new Promise((r) => setImmediate(r));
    expect(x.text()).not.toMatch(/\x1b\[2m/);
    const y = io(true);
    const q = createProgress(y, {}, { label: 'encrypt', now: () => (t += 1000) });
    q.update(1);
    await new Promise((r) => setImmediate(r));
    expect(y.text()).toMatch(/\x1b\[2m/);
  });
});

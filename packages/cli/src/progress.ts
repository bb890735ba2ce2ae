/**
 * Progress on stderr: count, rate and ETA, redrawn at most a few times a second on one line.
 * Shown only when stderr is a terminal and --quiet is off, so logs and pipes stay clean. The ETA
 * comes from the known total (rows of .npy/.fvecs) or else from the bytes read of a file.
 */
import type { Io } from './io.js';
import { useColor } from './io.js';

export interface Progress {
  /** `done` records processed so far; `bytes` of input consumed (for the ETA when no total). */
  update(done: number, bytes?: number): void;
  /** Clears the line. */
  finish(): void;
}

export interface ProgressOptions {
  label: string;
  quiet: boolean;
  total?: () => number | undefined;
  totalBytes?: number | undefined;
  /** Injected clock (tests). */
  now?: () => number;
}

const NOOP: Progress = { update() {}, finish() {} };
const REDRAW_MS = 200;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 10_000) return `${(perSecond / 1000).toFixed(1)}k/s`;
  return `${perSecond.toFixed(perSecond >= 100 ? 0 : 1)}/s`;
}

/** The text of one progress line (pure, for tests). */
export function progressLine(label: string, done: number, elapsedS: number, fraction: number | undefined): string {
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  let text = `${label}: ${done.toLocaleString('en-US')} records, ${formatRate(rate)}`;
  if (fraction !== undefined && fraction > 0 && fraction <= 1) {
    text += `, ${(fraction * 100).toFixed(1)}%, ETA ${formatDuration((elapsedS * (1 - fraction)) / fraction)}`;
  }
  return text;
}

export function createProgress(io: Io, options: ProgressOptions): Progress {
  if (options.quiet || !io.isTTY) return NOOP;
  const now = options.now ?? (() => performance.now());
  const start = now();
  const color = useColor(io);
  let last = 0;
  let shown = false;
  return {
    update(done, bytes) {
      const t = now();
      if (t - last < REDRAW_MS) return;
      last = t;
      const total = options.total?.();
      const fraction =
        total !== undefined && total > 0 ? done / total : bytes !== undefined && options.totalBytes ? bytes / options.totalBytes : undefined;
      const line = progressLine(options.label, done, (t - start) / 1000, fraction);
      io.stderr.write(`\r${color ? '\x1b[2m' : ''}${line}${color ? '\x1b[0m' : ''}\x1b[K`);
      shown = true;
    },
    finish() {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * Progress on stderr: count, rate and ETA. `--progress` picks how:
 *
 *   auto   (default) tty on a terminal, else plain
 *   tty    one line redrawn a few times a second
 *   plain  a log line every few seconds (SEALVEC_PROGRESS_INTERVAL seconds, default 5), so a
 *          long run in a pipeline or under a service manager shows it is alive; with --json
 *          each line is a JSON object {"progress": label, records, rate, fraction, etaSeconds}
 *   none   nothing (also with --quiet)
 *
 * The ETA comes from the known total (rows of .npy/.fvecs, records of a collection) or else from
 * the bytes read of a file.
 */
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { useColor } from './io.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'none';
export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'tty', 'plain', 'none'];

export interface Progress {
  /** `done` records processed so far; `bytes` of input consumed (for the ETA when no total). */
  update(done: number, bytes?: number): void;
  /** Clears the line (tty). */
  finish(): void;
}

/** The options every command with progress carries (global ones included). */
export interface ProgressFlags {
  quiet?: boolean | undefined;
  json?: boolean | undefined;
  progress?: ProgressMode | undefined;
}

export interface ProgressOptions {
  label: string;
  total?: () => number | undefined;
  totalBytes?: number | undefined;
  /** What is counted (default "records"). */
  unit?: string;
  /** Injected clock (tests). */
  now?: () => number;
}

const NOOP: Progress = { update() {}, finish() {} };
const REDRAW_MS = 200;
const PLAIN_MS = 5000;

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
export function progressLine(label: string, done: number, elapsedS: number, fraction: number | undefined, unit = 'records'): string {
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  let text = `${label}: ${done.toLocaleString('en-US')} ${unit}, ${formatRate(rate)}`;
  if (fraction !== undefined && fraction > 0 && fraction <= 1) {
    text += `, ${(fraction * 100).toFixed(1)}%, ETA ${formatDuration((elapsedS * (1 - fraction)) / fraction)}`;
  }
  return text;
}

/** The JSON form of a plain progress line (pure, for tests). */
export function progressRecord(label: string, done: number, elapsedS: number, fraction: number | undefined, unit = 'records'): Record<string, unknown> {
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  const known = fraction !== undefined && fraction > 0 && fraction <= 1;
  return {
    progress: label,
    [unit]: done,
    rate: Math.round(rate * 10) / 10,
    fraction: known ? Math.round(fraction * 10_000) / 10_000 : null,
    etaSeconds: known ? Math.round((elapsedS * (1 - fraction)) / fraction) : null,
  };
}

/** The mode in effect: --quiet wins, auto follows the terminal. */
export function resolveMode(io: Pick<Io, 'isTTY'>, flags: ProgressFlags): Exclude<ProgressMode, 'auto'> {
  if (flags.quiet) return 'none';
  const mode = flags.progress ?? 'auto';
  if (mode === 'auto') return io.isTTY ? 'tty' : 'plain';
  return mode;
}

/** Seconds between plain lines: SEALVEC_PROGRESS_INTERVAL (0 = every update), default 5. */
export function plainInterval(env: Io['env']): number {
  const v = env.SEALVEC_PROGRESS_INTERVAL;
  if (v === undefined || v === '') return PLAIN_MS;
  const s = Number(v);
  if (!Number.isFinite(s) || s < 0 || v.trim() === '') throw new UsageError(`SEALVEC_PROGRESS_INTERVAL expected seconds >= 0, got ${JSON.stringify(v)}`);
  return s * 1000;
}

export function createProgress(io: Io, flags: ProgressFlags, options: ProgressOptions): Progress {
  const mode = resolveMode(io, flags);
  if (mode === 'none') return NOOP;
  const now = options.now ?? (() => performance.now());
  const start = now();
  const unit = options.unit ?? 'records';
  const fractionOf = (done: number, bytes: number | undefined): number | undefined => {
    const total = options.total?.();
    if (total !== undefined && total > 0) return done / total;
    return bytes !== undefined && options.totalBytes ? bytes / options.totalBytes : undefined;
  };
  if (mode === 'plain') {
    const every = plainInterval(io.env);
    let last = start;
    return {
      update(done, bytes) {
        const t = now();
        if (t - last < every) return;
        last = t;
        const elapsed = (t - start) / 1000;
        const fraction = fractionOf(done, bytes);
        io.stderr.write(
          flags.json ? `${JSON.stringify(progressRecord(options.label, done, elapsed, fraction, unit))}\n` : `sealvec: ${progressLine(options.label, done, elapsed, fraction, unit)}\n`,
        );
      },
      finish() {},
    };
  }
  const color = useColor(io);
  let last = 0;
  let shown = false;
  return {
    update(done, bytes) {
      const t = now();
      if (t - last < REDRAW_MS) return;
      last = t;
      const line = progressLine(options.label, done, (t - start) / 1000, fractionOf(done, bytes), unit);
      io.stderr.write(`\r${color ? '\x1b[2m' : ''}${line}${color ? '\x1b[0m' : ''}\x1b[K`);
      shown = true;
    },
    finish() {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

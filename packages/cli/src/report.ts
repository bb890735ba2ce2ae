/**
 * How commands speak: results on stdout (text, or one JSON object per line with --json), notes and
 * warnings on stderr (silenced by --quiet). Nothing secret ever goes through here: callers pass
 * info views and counts only.
 */
import type { Io } from './io.js';
import { useColor } from './io.js';

export interface Reporter {
  /** A result: one line of JSON when --json, else the text lines. */
  result(json: unknown, text: string | string[]): void;
  /** A note on stderr unless --quiet. */
  note(text: string): void;
  /** A warning on stderr (even with --quiet). */
  warn(text: string): void;
  /** Text in bold/colour when stderr or stdout is a colour terminal. */
  readonly color: boolean;
}

export interface ReportOptions {
  json?: boolean | undefined;
  quiet?: boolean | undefined;
  /** Results go to stderr when stdout carries data (`-o -`). */
  resultsToStderr?: boolean;
}

export function createReporter(io: Io, options: ReportOptions): Reporter {
  const out = options.resultsToStderr ? io.stderr : io.stdout;
  const color = useColor(io);
  return {
    color,
    result(json, text) {
      if (options.json) out.write(`${JSON.stringify(json)}\n`);
      else out.write(`${Array.isArray(text) ? text.join('\n') : text}\n`);
    },
    note(text) {
      if (!options.quiet && !options.json) io.stderr.write(`${text}\n`);
    },
    warn(text) {
      io.stderr.write(`sealvec: warning: ${text}\n`);
    },
  };
}

/** Left-aligned two-column text: `key   value`. */
export function table(rows: readonly (readonly [string, string])[]): string[] {
  const w = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

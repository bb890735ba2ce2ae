/** Parsers for option values, each failing with a usage error (exit 2) that names the option. */
import { availableParallelism } from 'node:os';
import { UsageError } from './errors.js';

export function intOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new UsageError(`${name} expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
    }
    return n;
  };
}

export function numberOption(name: string, min: number, exclusiveMin = false): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || (exclusiveMin && n === min)) {
      throw new UsageError(`${name} expected a number ${exclusiveMin ? '>' : '>='} ${min}, got ${JSON.stringify(v)}`);
    }
    return n;
  };
}

/** `--threads N`: 1 ..= 4 x the cores, `auto` = the number of cores. */
export function threadsOption(v: string): number {
  const cores = availableParallelism();
  if (v === 'auto') return cores;
  return intOption('--threads', 1, Math.max(64, cores * 4))(v);
}

/** Comma-separated names (`--blind-index a,b`). */
export function listOption(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

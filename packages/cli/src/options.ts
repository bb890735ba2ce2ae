/** Parsers for option values, each failing with a usage error (exit 2) that names the option. */
import { availableParallelism } from 'node:os';
import { FIELD_NAME_PATTERN, MAX_TENANT_BYTES } from '@sealvec/core';
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

/** Comma-separated names (`--schema a,b`). */
export function listOption(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `--blind-index a,b`: payload field names as the stored format allows them. */
export function fieldListOption(v: string): string[] {
  const fields = listOption(v);
  for (const f of fields) {
    if (!FIELD_NAME_PATTERN.test(f)) {
      throw new UsageError(`--blind-index: field names must match ${FIELD_NAME_PATTERN.source} (top-level payload fields), got ${JSON.stringify(f)}`);
    }
  }
  if (new Set(fields).size !== fields.length) throw new UsageError('--blind-index lists a field twice');
  return fields;
}

/** `--tenant T`: at most MAX_TENANT_BYTES of UTF-8. */
export function tenantOption(v: string): string {
  if (Buffer.byteLength(v, 'utf8') > MAX_TENANT_BYTES) throw new UsageError(`--tenant is longer than ${MAX_TENANT_BYTES} bytes`);
  return v;
}

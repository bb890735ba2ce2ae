/**
 * Support for the end-to-end tests: they run the BUILT binary (packages/cli/dist/bin.js, made by
 * `pnpm test` / `pnpm -F @sealvec/cli build`) in temp directories, and generate their input
 * files (good and bad) on the fly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const GLOVE = join(REPO, 'fixtures/datasets/glove100');

export function requireBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "pnpm -F @sealvec/cli build" (the root "pnpm test" builds first)`);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  input?: string | Buffer;
  env?: Record<string, string>;
}

/** Environment without the caller's sealvec/Qdrant settings, so tests see only what they set. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['SEALVEC_KEYS', 'SEALVEC_STORE', 'QDRANT_URL', 'QDRANT_API_KEY', 'NO_COLOR', 'SEALVEC_DEBUG']) delete env[k];
  return { ...env, ...extra };
}

export function start(args: readonly string[], opts: RunOptions): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
}

export function sealvec(args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const child = start(args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.on('error', () => {});
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  else child.stdin!.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function tempDir(prefix = 'sealvec-e2e-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---- Input files ---------------------------------------------------------------------------------

/** Deterministic pseudo-random vectors (xorshift), so failures reproduce. */
export function vectors(n: number, d: number, seed = 1): Float32Array[] {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000 - 0.5;
  };
  return Array.from({ length: n }, () => Float32Array.from({ length: d }, next));
}

export function fvecsBytes(rows: readonly ArrayLike<number>[], dims?: readonly number[]): Buffer {
  const parts: Buffer[] = [];
  rows.forEach((r, i) => {
    const d = dims?.[i] ?? r.length;
    const b = Buffer.alloc(4 + 4 * d);
    b.writeInt32LE(d, 0);
    for (let j = 0; j < d; j++) b.writeFloatLE(j < r.length ? r[j]! : 0.5, 4 + 4 * j);
    parts.push(b);
  });
  return Buffer.concat(parts);
}

export function npyBytes(rows: readonly ArrayLike<number>[], dtype: '<f4' | '<f8' | '>f4' = '<f4', shape?: string): Buffer {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shape ?? `(${n}, ${d})`}, }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  dict = dict + ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head, 0);
  head.writeUInt16LE(dict.length, 8);
  const size = dtype.endsWith('8') ? 8 : 4;
  const body = Buffer.alloc(n * d * size);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) {
      const off = (i * d + j) * size;
      if (dtype === '<f8') body.writeDoubleLE(r[j]!, off);
      else if (dtype === '>f4') body.writeFloatBE(r[j]!, off);
      else body.writeFloatLE(r[j]!, off);
    }
  });
  return Buffer.concat([head, Buffer.from(dict, 'latin1'), body]);
}

export function jsonl(rows: readonly Float32Array[], extra: (i: number) => Record<string, unknown> = (i) => ({ id: `r${i}` })): string {
  return rows.map((v, i) => JSON.stringify({ ...extra(i), vector: Array.from(v) })).join('\n') + '\n';
}

export function write(dir: string, name: string, data: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

/** Parses decrypt's JSONL output into id -> vector. */
export function decrypted(stdout: string): Map<string, { vector: number[]; payload: unknown }> {
  const m = new Map<string, { vector: number[]; payload: unknown }>();
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as { id: string; vector: number[]; payload: unknown };
    m.set(o.id, { vector: o.vector, payload: o.payload });
  }
  return m;
}

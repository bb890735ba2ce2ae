/**
 * Test support for the fuzz suites (test-only; also loaded by path by the CLI's sealed-file fuzz
 * test): mutations of valid inputs, as a store, a disk or an attacker could make them, and a
 * harness that asserts every decode ends in a coded error or an honest result, within bounded
 * time and memory.
 *
 * Mutations are fast-check arbitraries of labelled edits (so a counterexample prints what was
 * done, not a function body):
 * - bytes: bit flips, byte sets, truncation, extension, insertion, removal, random bytes;
 * - JSON (any value tree, applied at a random path): deletion, type change, hostile values (deep
 *   nesting, long strings at and around the format's limits, huge and non-finite numbers, many
 *   keys, long arrays, lone surrogates, `__proto__`), number edits, byte edits inside base64url
 *   strings, character edits of strings, array reordering and duplication, unknown keys;
 * - text: the same at the level of a serialized file (character flips, cuts, appends).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { isSealvecError } from '../errors.js';

/** Runs per fuzz property: `small` normally, thousands under SLOW=1. */
export const fuzzRuns = (small: number): number => (process.env.SLOW ? Math.max(3000, small) : small);
/** Test timeout of a fuzz property: thousands of inputs take minutes on a busy machine. */
export const FUZZ_TIMEOUT_MS = process.env.SLOW ? 60 * 60_000 : 5 * 60_000;

/** A labelled edit: fast-check prints the label in counterexamples. */
export interface Edit<T> {
  (value: T): T;
  readonly label: string;
}

function edit<T>(label: string, f: (v: T) => T): Edit<T> {
  return Object.assign(f, { label, [fc.toStringMethod]: () => label });
}

// ---- bytes --------------------------------------------------------------------------------------

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const bytesEdit = (label: string, f: (b: Uint8Array) => Uint8Array): Edit<Uint8Array> => edit(label, f);

export const bytesEditArb: fc.Arbitrary<Edit<Uint8Array>> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]) =>
    bytesEdit(`flip bit ${bit} of byte ${at} (mod length)`, (b: Uint8Array) => {
      if (b.length === 0) return b;
      const c = Uint8Array.from(b);
      c[at % c.length]! ^= 1 << bit;
      return c;
    }),
  ),
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 2, maxLength: 8 }).map((xs) =>
    bytesEdit(`xor ${xs.length} bytes`, (b: Uint8Array) => {
      if (b.length === 0) return b;
      const c = Uint8Array.from(b);
      for (const [at, x] of xs) c[at % c.length]! ^= x;
      return c;
    }),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]) =>
    bytesEdit(`set byte ${at} (mod length) to ${v}`, (b: Uint8Array) => {
      if (b.length === 0) return b;
      const c = Uint8Array.from(b);
      c[at % c.length] = v;
      return c;
    }),
  ),
  fc.nat().map((n) => bytesEdit(`truncate to ${n} (mod length + 1)`, (b: Uint8Array) => b.slice(0, n % (b.length + 1)))),
  fc.integer({ min: 1, max: 64 }).map((n) => bytesEdit(`drop the last ${n} bytes`, (b: Uint8Array) => b.slice(0, Math.max(0, b.length - n)))),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((x) => bytesEdit(`append ${x.length} bytes`, (b: Uint8Array) => concat(b, x))),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 32 })).map(([at, x]) =>
    bytesEdit(`insert ${x.length} bytes at ${at} (mod length + 1)`, (b: Uint8Array) => {
      const i = at % (b.length + 1);
      return concat(b.subarray(0, i), x, b.subarray(i));
    }),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 48 })).map(([at, n]) =>
    bytesEdit(`remove ${n} bytes at ${at} (mod length)`, (b: Uint8Array) => {
      if (b.length === 0) return b;
      const i = at % b.length;
      return concat(b.subarray(0, i), b.subarray(i + n));
    }),
  ),
  fc.integer({ min: 0, max: 0xffffffff }).map((seed) =>
    bytesEdit(`replace with random bytes of the same length (seed ${seed})`, (b: Uint8Array) => {
      let s = seed || 1;
      return b.map(() => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s >>> 24));
    }),
  ),
  fc.uint8Array({ maxLength: 600 }).map((x) => bytesEdit(`replace with ${x.length} random bytes`, () => x)),
);

// ---- hostile values -----------------------------------------------------------------------------

/** Lengths at and around the limits of the stored format, the key files and the sealed file. */
export const LIMIT_LENGTHS = [
  0, 1, 15, 16, 17, 21, 22, 23, 43, 44, 64, 65, 86, 87, 255, 256, 257, 511, 512, 513, 4096, 4097, 65_536, 65_537, 1_048_576, 1_048_577, 1_398_155, 1_398_156,
];

function deep(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = kind === 'array' ? [] : {};
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

export const hostileArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => deep(d, k)),
  fc.tuple(fc.constantFrom(...LIMIT_LENGTHS), fc.constantFrom('A', 'a', '-', '_', '=', '0', 'é', '\u{1F600}', '\ud800', ' ')).map(([n, c]) => c.repeat(n)),
  fc.constantFrom(
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 32,
    2 ** 32 - 1,
    2 ** 16,
    -1,
    -0,
    0.5,
    1e-320,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    3.4028235677973366e38,
    1e39,
  ),
  fc.integer({ min: 10_000, max: 200_000 }).map((n) => new Array<number>(n).fill(0)),
  fc.integer({ min: 1_000, max: 20_000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
  fc.constantFrom(null, true, false, '', [], {}, '__proto__', 'constructor', 'toString'),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"name": 1}}')),
);

// ---- JSON ---------------------------------------------------------------------------------------

type Path = (string | number)[];

/** Paths into a value, breadth first, capped in depth and count (a mutated value may be deeply nested or huge). */
function paths(root: unknown): Path[] {
  const out: Path[] = [];
  const queue: [unknown, Path][] = [[root, []]];
  for (let q = 0; q < queue.length && out.length < 5_000; q++) {
    const [v, at] = queue[q]!;
    out.push(at);
    if (at.length >= 16 || queue.length > 5_000) continue;
    if (Array.isArray(v)) v.slice(0, 256).forEach((x, i) => queue.push([x, [...at, i]]));
    else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v).slice(0, 256)) queue.push([(v as Record<string, unknown>)[k], [...at, k]]);
  }
  return out;
}

/** JSON text of a value; a value nested too deeply for JSON.stringify becomes nesting as deep in text. */
export function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  }
}

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (typeof v === 'object' && v !== null) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(o, k, { value: clone((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return v;
}

/** Replaces the value at `path` (root: returns `f(root)`); `undefined` deletes it. */
function update(root: unknown, path: Path, f: (v: unknown) => unknown): unknown {
  if (path.length === 0) return f(root);
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1]!;
  const next = f((parent as Record<string | number, unknown>)[key]);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string, unknown>)[key as string];
  } else {
    // defineProperty, so that a key named __proto__ is an own property as JSON.parse makes it.
    Object.defineProperty(parent, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return root;
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const fromB64 = (s: string): Uint8Array | null => {
  if (!B64URL.test(s) || s.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(s, 'base64url'));
};
const toB64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

const stringEditArb: fc.Arbitrary<Edit<string>> = fc.oneof(
  bytesEditArb.map((e) => edit(`base64url bytes: ${e.label}`, (s: string) => {
    const b = fromB64(s);
    return b === null ? s : toB64(e(b));
  })),
  fc.nat().map((n) => edit(`cut to ${n} characters (mod length + 1)`, (s: string) => s.slice(0, n % (s.length + 1)))),
  fc.tuple(fc.nat(), fc.constantFrom('=', '+', '/', ' ', '\n', 'A', '.', 'é', '\ud800', '\0')).map(([at, c]) =>
    edit(`set character ${at} (mod length) to ${JSON.stringify(c)}`, (s: string) => {
      if (s.length === 0) return c;
      const i = at % s.length;
      return s.slice(0, i) + c + s.slice(i + 1);
    }),
  ),
  fc.string({ minLength: 1, maxLength: 8 }).map((x) => edit(`append ${JSON.stringify(x)}`, (s: string) => s + x)),
  fc.constantFrom('==', '=', 'A', 'AA', 'AAA').map((x) => edit(`append ${JSON.stringify(x)}`, (s: string) => s + x)),
  fc.constant(edit('upper-case', (s: string) => s.toUpperCase())),
);

const numberEditArb: fc.Arbitrary<Edit<number>> = fc.oneof(
  fc.constantFrom(-2, -1, 1, 2, 0x10000, 2 ** 32).map((d) => edit(`add ${d}`, (n: number) => n + d)),
  fc.constantFrom(0.5, 2, -1, 1e-9, 1e9).map((m) => edit(`multiply by ${m}`, (n: number) => n * m)),
  fc.constant(edit('add 1e-12', (n: number) => n + 1e-12)),
);

export const jsonEditArb: fc.Arbitrary<Edit<unknown>> = fc.oneof(
  { weight: 2, arbitrary: fc.nat().map((i) => edit(`delete path #${i}`, (root: unknown) => {
    const ps = paths(root).filter((p) => p.length > 0);
    return ps.length === 0 ? root : update(root, ps[i % ps.length]!, () => undefined);
  })) },
  { weight: 3, arbitrary: fc.tuple(fc.nat(), hostileArb).map(([i, h]) => edit(`replace path #${i} with a hostile value`, (root: unknown) => {
    const ps = paths(root);
    return update(root, ps[i % ps.length]!, () => h);
  })) },
  { weight: 4, arbitrary: fc.tuple(fc.nat(), stringEditArb).map(([i, e]) => edit(`string #${i}: ${e.label}`, (root: unknown) => {
    const ps = paths(root).filter((p) => typeof p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root) === 'string');
    return ps.length === 0 ? root : update(root, ps[i % ps.length]!, (v) => e(v as string));
  })) },
  { weight: 2, arbitrary: fc.tuple(fc.nat(), numberEditArb).map(([i, e]) => edit(`number #${i}: ${e.label}`, (root: unknown) => {
    const ps = paths(root).filter((p) => typeof p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root) === 'number');
    return ps.length === 0 ? root : update(root, ps[i % ps.length]!, (v) => e(v as number));
  })) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom('__proto__', 'constructor', 'extra', 'sv', 'type', 'version', ''), hostileArb).map(([i, k, h]) =>
    edit(`add key ${JSON.stringify(k)} at object #${i}`, (root: unknown) => {
      const ps = paths(root).filter((p) => {
        const v = p.reduce<unknown>((o, kk) => (o as Record<string | number, unknown>)[kk], root);
        return typeof v === 'object' && v !== null && !Array.isArray(v);
      });
      return ps.length === 0 ? root : update(root, [...ps[i % ps.length]!, k], () => h);
    })) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom('reverse', 'duplicate first', 'empty')).map(([i, how]) =>
    edit(`${how} array #${i}`, (root: unknown) => {
      const ps = paths(root).filter((p) => Array.isArray(p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root)));
      if (ps.length === 0) return root;
      return update(root, ps[i % ps.length]!, (v) => {
        const a = v as unknown[];
        return how === 'reverse' ? [...a].reverse() : how === 'empty' ? [] : [a[0], ...a];
      });
    })) },
);

/** One to three edits of a (deep-copied) JSON value, or an unrelated hostile value. */
export function mutatedJson<T>(seed: T): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.array(jsonEditArb, { minLength: 1, maxLength: 3 }).map((edits) => edits.reduce<unknown>((v, e) => e(v), clone(seed))) },
    { weight: 1, arbitrary: hostileArb },
  );
}

/** Edits of a serialized file: as JSON (parsed, mutated, serialized again) or as raw text. */
export function mutatedText(seed: string): fc.Arbitrary<string> {
  const parsed = (() => {
    try {
      return JSON.parse(seed) as unknown;
    } catch {
      return undefined;
    }
  })();
  return fc.oneof(
    ...(parsed === undefined ? [] : [{ weight: 6, arbitrary: mutatedJson(parsed).map(jsonText) }]),
    { weight: 3, arbitrary: fc.array(stringEditArb, { minLength: 1, maxLength: 3 }).map((edits) => edits.reduce((s, e) => e(s), seed)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );
}

// ---- The harness --------------------------------------------------------------------------------

/**
 * Each input's decode must finish within 100 ms plus 1 ms per KB of input, or else within ten
 * times what the honest input costs at the same moment (plus the same 1 ms per KB). The bound is
 * on work, not speed (speed is for the benchmarks): linear decoding up to the format's size limits
 * stays far below it, while anything super-linear (a quadratic scan, an unbounded allocation, a
 * retry loop) or a decode that ignores a size limit crosses both. The relative form keeps the test
 * true on a machine slowed by other work, where the honest input slows down as much.
 */
export const MAX_MS_PER_INPUT = 100;
export const MAX_MS_PER_KB = 1;
export const MAX_TIMES_HONEST = 10;
/** Heap growth allowed over a whole fuzz run, after garbage collection. */
export const MAX_HEAP_GROWTH = 64 * 1024 * 1024;

/** Approximate size of a value in bytes (strings, byte arrays, 8 per node), without recursion. */
export function sizeOf(root: unknown): number {
  let n = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0 && n < 1e8) {
    const v = stack.pop();
    n += 8;
    if (typeof v === 'string') n += v.length;
    else if (v instanceof Uint8Array) n += v.length;
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) stack.push(k, (v as Record<string, unknown>)[k]);
  }
  return n;
}

/** A short description of an input, for counterexamples (a fuzz input can be megabytes). */
function preview(v: unknown): string {
  let text: string;
  try {
    text = typeof v === 'string' ? JSON.stringify(v) : (fc.stringify(v) ?? String(v));
  } catch {
    text = `<${typeof v} nested too deeply to print>`;
  }
  return text.length <= 600 ? text : `${text.slice(0, 400)} ...(${text.length} characters)... ${text.slice(-150)}`;
}

let gcFn: (() => void) | undefined;
function gc(): void {
  if (gcFn === undefined) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  // Twice: one full collection can leave what finalizers released for the next one.
  gcFn();
  gcFn();
}

/** `f()`, or undefined when it throws a coded SealvecError; anything else is rethrown (and fails the property). */
export function coded<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (isSealvecError(e)) return undefined;
    throw e;
  }
}

export async function codedAsync<T>(f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    if (isSealvecError(e)) return undefined;
    throw e;
  }
}

export interface FuzzStats {
  runs: number;
  maxMs: number;
  /** The honest input's time when the run started. */
  honestMs: number;
  heapGrowth: number;
}

async function timed(f: () => void | Promise<void>, times: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await f();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/**
 * Runs `check` on `runs` inputs. `check` asserts its own invariants (use `coded` around each
 * decode); the harness adds the bounds. An input slower than MAX_MS_PER_INPUT (plus MAX_MS_PER_KB
 * per KB) is timed again, best of two, beside `honest` (the same check on an unmutated input,
 * best of three), and fails if it is still above both that bound and MAX_TIMES_HONEST times the
 * honest time. The heap, after garbage collection, may not grow by more than MAX_HEAP_GROWTH over
 * the run.
 */
export async function fuzz<T>(arb: fc.Arbitrary<T>, check: (input: T) => void | Promise<void>, runs: number, honest: () => void | Promise<void>): Promise<FuzzStats> {
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const honestMs = await timed(honest, 3);
  let maxMs = 0;
  // No shrinking: shrinking megabyte inputs takes minutes, and a failure prints the input's preview and the seed to replay it.
  const wrapped = fc.noShrink(arb.map((value) => ({ value, [fc.toStringMethod]: () => preview(value) })));
  await fc.assert(
    fc.asyncProperty(wrapped, async ({ value }) => {
      const perSize = (MAX_MS_PER_KB * sizeOf(value)) / 1024;
      const bound = MAX_MS_PER_INPUT + perSize;
      let ms = await timed(() => check(value), 1);
      if (ms > bound) {
        const now = await timed(honest, 3);
        ms = await timed(() => check(value), 2);
        if (ms > bound && ms > MAX_TIMES_HONEST * now + perSize) {
          throw new Error(`decoding one input of about ${Math.round(sizeOf(value) / 1024)} KB took ${ms.toFixed(1)} ms, above ${bound.toFixed(0)} ms and ${MAX_TIMES_HONEST} x the honest input's ${now.toFixed(1)} ms`);
        }
      }
      maxMs = Math.max(maxMs, ms);
    }),
    { numRuns: runs },
  );
  gc();
  const heapGrowth = process.memoryUsage().heapUsed - heap0;
  if (heapGrowth > MAX_HEAP_GROWTH) throw new Error(`the heap grew by ${(heapGrowth / 2 ** 20).toFixed(1)} MiB over ${runs} inputs`);
  return { runs, maxMs, honestMs, heapGrowth };
}

/**
 * The structured known-plaintext attack (security review, finding 6). A mix built from keyed
 * signs, permutations and normalized Walsh-Hadamard transforms ends, for power-of-two d, in a
 * public Hadamard H, and H^T R is a signed permutation of a Hadamard matrix: every entry is
 * +-1/sqrt(d). An attacker who knows the construction (it is public) therefore undoes the last
 * public transform and fits a map whose entries are all +-s/sqrt(d) instead of a free one:
 *
 *   1. y = T^T c for a candidate public post-transform T (identity, H, or a Hadamard block);
 *   2. fit W with Y = X W, each entry boxed to |w| <= s/sqrt(d) (projected gradient, FISTA);
 *      with fewer pairs than unknowns the box is what pins the solution down;
 *   3. round every entry to its sign, refit the scale;
 *   4. keep the rounded map only if it predicts held-out known pairs better than the unrounded
 *      fit (the attacker's own test, no ground truth needed); otherwise report "no structure".
 *
 * When the structure is there, the rounded map is R itself, exactly, and the attacker is as good
 * as the key holder (x plus the noise) from about 1.5 d pairs, where a free linear fit still
 * carries estimation error. Against a uniformly random rotation the entries are Gaussian, the
 * rounding is wrong and the held-out test says so. The attack takes ciphertexts only, so it runs
 * against whatever the cipher does.
 *
 * Large d: the held-out test first runs on PROBE output columns (cost d^2 per column and
 * iteration); the full d x d solve only runs when the probe finds the structure.
 */
import { solveSPD } from '../linalg/cholesky.js';
import { type Mat, mul, mulBT, mulTA, selectRows, zeros } from '../linalg/matrix.js';

export type PublicTransform = 'identity' | 'hadamard' | 'hadamard-head' | 'hadamard-tail';

export interface StructuredOptions {
  /** FISTA iterations for the box-constrained fit. */
  readonly iterations?: number;
  /** Output columns tried before committing to a full solve. */
  readonly probe?: number;
  /** Share of the known pairs held out for the attacker's test. */
  readonly holdOut?: number;
}

export interface StructuredResult {
  /** Plaintext estimates of the targets from the rounded map; null when no structure was found. */
  readonly estimates: Mat | null;
  readonly found: boolean;
  /** The public post-transform whose undoing exposed the structure (best held-out ratio when none did). */
  readonly transform: PublicTransform;
  /** Held-out squared error of the rounded map over that of the unrounded fit (< 1: rounding helped). */
  readonly heldOutRatio: number;
  /** Fitted scale s. */
  readonly scale: number;
  /** Output columns whose signs were fitted (all d when found, the probe otherwise). */
  readonly columns: readonly number[];
  /** Rounded signs, d x columns.length, +-1: entry (i, j) is the sign of W[i][columns[j]]. */
  readonly signs: Mat;
}

const DEFAULTS = { iterations: 250, probe: 16, holdOut: 0.2 };
/** Iterations without a sign change after which the full solve stops. */
const SETTLE = 15;

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function largestPowerOfTwoAtMost(n: number): number {
  let b = 1;
  while (b * 2 <= n) b *= 2;
  return b;
}

/** In-place normalized Walsh-Hadamard transform of x[off .. off + n), n a power of two. */
function hadamard(x: Float64Array, off: number, n: number): void {
  for (let h = 1; h < n; h *= 2) {
    for (let i = off; i < off + n; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const a = x[j] as number;
        const b = x[j + h] as number;
        x[j] = a + b;
        x[j + h] = a - b;
      }
    }
  }
  const f = 1 / Math.sqrt(n);
  for (let i = off; i < off + n; i++) x[i]! *= f;
}

/** The candidate public post-transforms for dimension d (those a signs/permutations/Hadamard mix could end with). */
export function candidateTransforms(d: number): PublicTransform[] {
  if (isPowerOfTwo(d)) return ['identity', 'hadamard'];
  return ['identity', 'hadamard-head', 'hadamard-tail'];
}

/** Rows c -> c T, i.e. T^T applied to each column vector (every T here is symmetric and orthogonal). */
export function applyTransform(t: PublicTransform, c: Mat): Mat {
  const out: Mat = { rows: c.rows, cols: c.cols, data: Float64Array.from(c.data) };
  if (t === 'identity') return out;
  const d = c.cols;
  const b = t === 'hadamard' ? d : largestPowerOfTwoAtMost(d);
  const off = t === 'hadamard-tail' ? d - b : 0;
  for (let i = 0; i < c.rows; i++) hadamard(out.data, i * d + off, b);
  return out;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

function columnsOf(m: Mat, cols: readonly number[]): Mat {
  const out = zeros(m.rows, cols.length);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < cols.length; j++) out.data[i * cols.length + j] = m.data[i * m.cols + (cols[j] as number)] as number;
  return out;
}

/** Largest eigenvalue of a symmetric PSD matrix by power iteration (the FISTA step is 1 / it). */
function topEigenvalue(g: Mat, iterations = 40): number {
  const n = g.rows;
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let lam = 0;
  for (let it = 0; it < iterations; it++) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (g.data[i * n + j] as number) * (v[j] as number);
      w[i] = s;
    }
    let nw = 0;
    for (const x of w) nw += x * x;
    nw = Math.sqrt(nw);
    if (!(nw > 0)) return 0;
    lam = nw;
    v = w.map((x) => x / nw);
  }
  return lam;
}

/**
 * min |X W - Y|^2 subject to |W_ij| <= box, by FISTA on the normal equations (G = X^T X,
 * B = X^T Y), started from the clipped ridge solution. With `signsOnly`, it stops as soon as
 * the signs of W have not changed for SETTLE iterations (all the rounding step needs).
 */
export function boxLeastSquares(x: Mat, y: Mat, box: number, iterations: number, signsOnly = false): Mat {
  const d = x.cols;
  const g = mulTA(x, x);
  const b = mulTA(x, y);
  let tr = 0;
  for (let i = 0; i < d; i++) tr += g.data[i * d + i] as number;
  const ridged: Mat = { rows: d, cols: d, data: Float64Array.from(g.data) };
  for (let i = 0; i < d; i++) ridged.data[i * d + i]! += Math.max((1e-6 * tr) / d, 1e-300);
  const clip = (v: number) => (v > box ? box : v < -box ? -box : v);
  let w = solveSPD(ridged, b);
  for (let i = 0; i < w.data.length; i++) w.data[i] = clip(w.data[i] as number);
  const lip = topEigenvalue(g);
  if (!(lip > 0)) return w;
  let z: Mat = { rows: w.rows, cols: w.cols, data: Float64Array.from(w.data) };
  let t = 1;
  let stable = 0;
  for (let it = 0; it < iterations; it++) {
    const grad = mul(g, z);
    const next = zeros(w.rows, w.cols);
    let change = 0;
    let size = 0;
    for (let i = 0; i < next.data.length; i++) {
      const v = clip((z.data[i] as number) - ((grad.data[i] as number) - (b.data[i] as number)) / lip);
      next.data[i] = v;
      change += (v - (w.data[i] as number)) ** 2;
      size += v * v;
    }
    if (signsOnly) {
      let flips = 0;
      for (let i = 0; i < next.data.length; i++) if ((next.data[i] as number) < 0 !== (w.data[i] as number) < 0) flips++;
      stable = flips === 0 ? stable + 1 : 0;
    }
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const mom = (t - 1) / tNext;
    z = zeros(w.rows, w.cols);
    for (let i = 0; i < z.data.length; i++) z.data[i] = (next.data[i] as number) + mom * ((next.data[i] as number) - (w.data[i] as number));
    w = next;
    t = tNext;
    if (change <= 1e-14 * Math.max(size, 1e-300) || stable >= SETTLE) break;
  }
  return w;
}

function squaredError(x: Mat, w: Mat, y: Mat): number {
  const p = mul(x, w);
  let s = 0;
  for (let i = 0; i < p.data.length; i++) s += ((p.data[i] as number) - (y.data[i] as number)) ** 2;
  return s;
}

/** Signs of a matrix as +-1 (0 counts as +1). */
function signsOf(w: Mat): Mat {
  return { rows: w.rows, cols: w.cols, data: w.data.map((v) => (v < 0 ? -1 : 1)) };
}

/** Least-squares scale for Y ~ X (S / sqrt(d)) s. */
function fitScale(x: Mat, s: Mat, y: Mat): number {
  const p = mul(x, s);
  let num = 0;
  let den = 0;
  for (let i = 0; i < p.data.length; i++) {
    num += (p.data[i] as number) * (y.data[i] as number);
    den += (p.data[i] as number) ** 2;
  }
  return den > 0 ? num / den : 0;
}

interface Trial {
  readonly transform: PublicTransform;
  readonly ratio: number;
  readonly signs: Mat;
  /** Fitted entry magnitude s / sqrt(d). */
  readonly entry: number;
}

export function structuredAttack(knownPlain: Mat, knownCipher: Mat, targets: Mat, options: StructuredOptions = {}): StructuredResult {
  const o = { ...DEFAULTS, ...options };
  const n = knownPlain.rows;
  const d = knownPlain.cols;
  if (knownCipher.rows !== n || knownCipher.cols !== d) {
    throw new RangeError(`"knownCipher" expected ${n}x${d}, got ${knownCipher.rows}x${knownCipher.cols}`);
  }
  if (targets.cols !== d) throw new RangeError(`"targets" expected ${d} columns, got ${targets.cols}`);
  if (n < 4) throw new RangeError(`"knownPlain" expected at least 4 pairs, got ${n}`);
  // The box: |entry| <= s / sqrt(d), s bounded by the norm ratio (noise only makes it looser).
  let cc = 0;
  let xx = 0;
  for (const v of knownCipher.data) cc += v * v;
  for (const v of knownPlain.data) xx += v * v;
  const box = Math.sqrt(cc / Math.max(xx, 1e-300) / d);
  const nFit = Math.max(2, Math.min(n - 1, Math.round(n * (1 - o.holdOut))));
  const fitIds = range(0, nFit);
  const testIds = range(nFit, n);
  const xFit = selectRows(knownPlain, fitIds);
  const xTest = selectRows(knownPlain, testIds);
  const probeCols = d <= o.probe * 4 ? range(0, d) : range(0, o.probe).map((j) => Math.floor((j * d) / o.probe));

  // The attacker's test, per candidate transform, on the probe columns.
  const trials: Trial[] = candidateTransforms(d).map((transform) => {
    const y = columnsOf(applyTransform(transform, knownCipher), probeCols);
    const yFit = selectRows(y, fitIds);
    const yTest = selectRows(y, testIds);
    const w = boxLeastSquares(xFit, yFit, box, o.iterations);
    const signs = signsOf(w);
    const entry = fitScale(xFit, signs, yFit);
    const rounded: Mat = { rows: signs.rows, cols: signs.cols, data: signs.data.map((v) => v * entry) };
    const ratio = squaredError(xTest, rounded, yTest) / Math.max(squaredError(xTest, w, yTest), 1e-300);
    return { transform, ratio, signs, entry };
  });
  const best = trials.reduce((a, t) => (t.ratio < a.ratio ? t : a));
  if (!(best.ratio < 1)) {
    return { estimates: null, found: false, transform: best.transform, heldOutRatio: best.ratio, scale: best.entry * Math.sqrt(d), columns: probeCols, signs: best.signs };
  }
  const y = applyTransform(best.transform, knownCipher);
  const w = boxLeastSquares(knownPlain, y, box, o.iterations, true);
  const signs = signsOf(w);
  const entry = fitScale(knownPlain, signs, y);
  // W = entry S, and S / sqrt(d) is orthogonal when the structure holds, so
  // x = y W^-1 = y S^T / (entry d).
  const est = mulBT(applyTransform(best.transform, targets), signs);
  const f = 1 / (entry * d);
  for (let i = 0; i < est.data.length; i++) est.data[i]! *= f;
  return { estimates: est, found: true, transform: best.transform, heldOutRatio: best.ratio, scale: entry * Math.sqrt(d), columns: range(0, d), signs };
}

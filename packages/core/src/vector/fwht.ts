/** The Walsh-Hadamard transform both mixes (format 1 and 2, JavaScript paths) are built on. */

/**
 * In-place unnormalized fast Walsh-Hadamard transform of x[off .. off+n), n a power of two.
 * Radix-4 passes (two butterfly levels per pass over memory), then one radix-2 pass if
 * log2(n) is odd.
 */
export function fwht(x: Float64Array, off: number, n: number): void {
  let h = 1;
  for (; h * 4 <= n; h *= 4) {
    const step = h * 4;
    for (let i = off, end = off + n; i < end; i += step) {
      for (let j = i, jEnd = i + h; j < jEnd; j++) {
        const a0 = x[j]!;
        const a1 = x[j + h]!;
        const a2 = x[j + 2 * h]!;
        const a3 = x[j + 3 * h]!;
        const s01 = a0 + a1;
        const d01 = a0 - a1;
        const s23 = a2 + a3;
        const d23 = a2 - a3;
        x[j] = s01 + s23;
        x[j + h] = d01 + d23;
        x[j + 2 * h] = s01 - s23;
        x[j + 3 * h] = d01 - d23;
      }
    }
  }
  if (h < n) {
    for (let j = off, jEnd = off + h; j < jEnd; j++) {
      const a = x[j]!;
      const b = x[j + h]!;
      x[j] = a + b;
      x[j + h] = a - b;
    }
  }
}

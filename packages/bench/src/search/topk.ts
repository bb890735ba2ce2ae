/**
 * Exact top-k selection: the k smallest distances, ordered by (distance, index) so ties resolve
 * the same way on every run. A bounded max-heap keeps it O(n log k) and allocation-free per row.
 */

/** Indices of the k smallest values of `dist[0..n)`, nearest first. */
export function topK(dist: ArrayLike<number>, k: number, n = dist.length): Int32Array {
  if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`"k" expected integer >= 0, got ${k}`);
  const m = Math.min(k, n);
  const heapI = new Int32Array(m);
  const heapD = new Float64Array(m);
  let size = 0;
  // Max-heap on (distance, index): the root is the worst kept candidate.
  const worse = (da: number, ia: number, db: number, ib: number) => da > db || (da === db && ia > ib);
  for (let i = 0; i < n; i++) {
    const d = dist[i] as number;
    if (size < m) {
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(d, i, heapD[p] as number, heapI[p] as number)) break;
        heapD[c] = heapD[p] as number;
        heapI[c] = heapI[p] as number;
        c = p;
      }
      heapD[c] = d;
      heapI[c] = i;
    } else if (m > 0 && worse(heapD[0] as number, heapI[0] as number, d, i)) {
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= m) break;
        const r = l + 1;
        let w = l;
        if (r < m && worse(heapD[r] as number, heapI[r] as number, heapD[l] as number, heapI[l] as number)) w = r;
        if (!worse(heapD[w] as number, heapI[w] as number, d, i)) break;
        heapD[c] = heapD[w] as number;
        heapI[c] = heapI[w] as number;
        c = w;
      }
      heapD[c] = d;
      heapI[c] = i;
    }
  }
  const order = Array.from({ length: size }, (_, j) => j).sort((a, b) => {
    const da = heapD[a] as number;
    const db = heapD[b] as number;
    return da - db || (heapI[a] as number) - (heapI[b] as number);
  });
  return Int32Array.from(order, (j) => heapI[j] as number);
}

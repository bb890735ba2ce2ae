/**
 * One collection's points held in memory for search: vectors in contiguous Float32Array blocks
 * (./kernel.ts), payloads and ids in slot order, exact (brute-force) search. No I/O and no
 * argument checks: LocalBackend checks arguments first, and ./local-sqlite.ts keeps a loaded
 * collection current with the database.
 *
 * Slots are dense: deleting a point moves the last point into its slot, so a scan touches only
 * live rows. Search is two passes: the SIMD kernel scores every row in float32, then every row
 * whose float32 score is within the kernel's error bound of the k-th best is re-scored in
 * float64, so results and scores are those of an exact float64 computation over the stored
 * float32 values: Euclid as the distance (lower is better), Dot as the inner product (higher is
 * better). Equal scores are ordered by id so results are deterministic.
 *
 * Payloads are returned by reference: callers copy what they hand out (./payload-selector.ts).
 * A payload may be given as its JSON text: it is parsed the first time it is needed, so loading
 * a stored collection does not parse the payloads a search never looks at.
 */
import { Malformed } from '@sealvec/core';
import type { Distance, Payload } from './types.js';
import type { PointPredicate } from './filter.js';
import { createBlock, dot, errorBound, squaredDistance, strideFor, type Block } from './kernel.js';
import { mergePayload } from './payload-selector.js';

/** Rows per block are chosen so a full block holds about this many floats (64 MiB). */
const BLOCK_FLOATS = 1 << 24;
/** Below the smallest float32 normal, relative error bounds no longer hold; allow this slack. */
const SUBNORMAL_SLACK = 2 ** -126;

/** What search needs to know about a collection. */
export interface Shape {
  dimension: number;
  distance: Distance;
}

export interface StoredPoint {
  id: string;
  /** Present only when asked for. */
  vector?: Float32Array;
  /** By reference: do not mutate. */
  payload: Payload;
}

export class LocalCollection {
  readonly distance: Distance;
  readonly dimension: number;
  private readonly stride: number;
  private readonly rowsPerBlock: number;
  private readonly forceJs: boolean;
  private readonly blocks: Block[] = [];
  private readonly ids: string[] = [];
  /** A payload, or its JSON text until first used. */
  private readonly payloads: (Payload | string)[] = [];
  private readonly slotOf = new Map<string, number>();
  /** Ids in ascending order for scroll; rebuilt lazily after ids are added or removed. */
  private sorted: string[] | null = null;
  /** An upper bound on every stored vector's squared norm (never lowered on delete). */
  private maxNormSq = 0;

  /**
   * `forceJs` selects the plain JavaScript kernel and `blockFloats` shrinks blocks, for tests
   * that compare the kernels or cross block boundaries with little data.
   */
  constructor(shape: Shape, options: { forceJs?: boolean; blockFloats?: number } = {}) {
    this.distance = shape.distance;
    this.dimension = shape.dimension;
    this.stride = strideFor(shape.dimension);
    this.rowsPerBlock = Math.max(1, Math.floor((options.blockFloats ?? BLOCK_FLOATS) / this.stride));
    this.forceJs = options.forceJs ?? false;
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  private row(slot: number): { data: Float32Array; offset: number } {
    const b = Math.floor(slot / this.rowsPerBlock);
    return { data: (this.blocks[b] as Block).data, offset: (slot - b * this.rowsPerBlock) * this.stride };
  }

  /**
   * Inserts or replaces a point. The caller has checked id, dimension and finiteness; a payload
   * given as text must be a JSON object (Malformed when it is used otherwise).
   */
  upsert(id: string, vector: Float32Array, payload: Payload | string): void {
    let slot = this.slotOf.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if (slot === this.blocks.length * this.rowsPerBlock) {
        this.blocks.push(createBlock(this.rowsPerBlock, this.stride, this.forceJs));
      }
      (this.blocks[this.blocks.length - 1] as Block).reserve(slot - (this.blocks.length - 1) * this.rowsPerBlock + 1);
      this.ids.push(id);
      this.payloads.push(payload);
      this.slotOf.set(id, slot);
      this.sorted = null;
    } else {
      this.payloads[slot] = payload;
    }
    const { data, offset } = this.row(slot);
    data.set(vector, offset);
    let norm = 0;
    for (let j = 0; j < vector.length; j++) norm += (vector[j] as number) * (vector[j] as number);
    if (norm > this.maxNormSq) this.maxNormSq = norm;
  }

  get(id: string, withVector: boolean): StoredPoint | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.pointAt(slot, withVector);
  }

  private payloadAt(slot: number): Payload {
    const p = this.payloads[slot] as Payload | string;
    if (typeof p !== 'string') return p;
    let parsed: unknown;
    try {
      parsed = JSON.parse(p);
    } catch {
      // reported below
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Malformed(`the stored payload of point ${this.ids[slot] as string} is not a JSON object`);
    }
    this.payloads[slot] = parsed as Payload;
    return parsed as Payload;
  }

  private pointAt(slot: number, withVector: boolean): StoredPoint {
    const p: StoredPoint = { id: this.ids[slot] as string, payload: this.payloadAt(slot) };
    if (withVector) p.vector = this.vectorAt(slot);
    return p;
  }

  /** A copy of the stored vector. */
  vectorAt(slot: number): Float32Array {
    const { data, offset } = this.row(slot);
    return data.slice(offset, offset + this.dimension);
  }

  delete(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    const last = this.ids.length - 1;
    if (slot !== last) {
      const from = this.row(last);
      const to = this.row(slot);
      to.data.set(from.data.subarray(from.offset, from.offset + this.stride), to.offset);
      const movedId = this.ids[last] as string;
      this.ids[slot] = movedId;
      this.payloads[slot] = this.payloads[last] as Payload | string;
      this.slotOf.set(movedId, slot);
    }
    this.ids.pop();
    this.payloads.pop();
    this.slotOf.delete(id);
    // Keep the trailing block only while it holds rows: memory follows the point count.
    while (this.blocks.length > Math.ceil(this.ids.length / this.rowsPerBlock)) this.blocks.pop();
    this.sorted = null;
    return true;
  }

  /** Merges `partial` into the point's payload (top-level keys overwritten). */
  setPayload(id: string, partial: Payload): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.payloads[slot] = mergePayload(this.payloadAt(slot), partial);
    return true;
  }

  /** Ids of points matching `pred` (all points without one), in slot order. */
  matching(pred: PointPredicate | undefined): string[] {
    if (pred === undefined) return [...this.ids];
    const out: string[] = [];
    for (let s = 0; s < this.ids.length; s++) {
      if (pred(this.ids[s] as string, this.payloadAt(s))) out.push(this.ids[s] as string);
    }
    return out;
  }

  count(pred: PointPredicate | undefined): number {
    if (pred === undefined) return this.ids.length;
    let n = 0;
    for (let s = 0; s < this.ids.length; s++) if (pred(this.ids[s] as string, this.payloadAt(s))) n++;
    return n;
  }

  /** The `limit` best points for `query`, best first, with exact float64 scores. */
  search(query: Float32Array, limit: number, pred: PointPredicate | undefined, withVector: boolean): (StoredPoint & { score: number })[] {
    const euclid = this.distance === 'Euclid';
    const n = this.ids.length;
    const rpb = this.rowsPerBlock;
    const d = this.dimension;
    if (n === 0) return [];

    // Pass 1: approximate scores for every row. A row is kept as a candidate while it is within
    // the error bound of the running k-th best; the k-th best only improves, so the kept rows
    // are a superset of those within the bound of the final k-th best.
    const gamma = errorBound(this.blocks[0] as Block, this.stride);
    let dotSlack = 0;
    if (!euclid) {
      let qNorm = 0;
      for (let j = 0; j < d; j++) qNorm += (query[j] as number) * (query[j] as number);
      dotSlack = 2 * gamma * Math.sqrt(this.maxNormSq * qNorm) + SUBNORMAL_SLACK * d;
    }
    const euclidFactor = (1 + gamma) / (1 - gamma);
    const euclidSlack = SUBNORMAL_SLACK * d;
    const within = (s: number, kthScore: number): boolean =>
      euclid ? s <= kthScore * euclidFactor + euclidSlack : s >= kthScore - dotSlack;
    const kth = new KthBest(Math.min(limit, n), euclid);
    const candSlots: number[] = [];
    const candScores: number[] = [];
    const always: number[] = []; // rows whose approximate score overflowed: always re-scored
    for (let b = 0; b < this.blocks.length; b++) {
      const block = this.blocks[b] as Block;
      const base = b * rpb;
      const rows = Math.min(rpb, n - base);
      block.query.set(query);
      block.scan(euclid ? 'l2' : 'dot', rows);
      const scores = block.scores;
      for (let r = 0; r < rows; r++) {
        const s = scores[r] as number;
        if (kth.full() && !within(s, kth.value()) && Number.isFinite(s)) continue;
        const slot = base + r;
        if (pred !== undefined && !pred(this.ids[slot] as string, this.payloadAt(slot))) continue;
        if (!Number.isFinite(s)) {
          always.push(slot);
          continue;
        }
        kth.offer(s);
        candSlots.push(slot);
        candScores.push(s);
      }
    }

    // Pass 2: candidates within the bound of the final k-th best, re-scored in float64.
    const top = new TopK(Math.min(limit, n), euclid, this.ids);
    const final = kth.full() ? kth.value() : NaN;
    const rescore = (slot: number): void => {
      const b = Math.floor(slot / rpb);
      const block = this.blocks[b] as Block;
      const off = (slot - b * rpb) * this.stride;
      top.offer(slot, euclid ? squaredDistance(block.data, off, query, d) : dot(block.data, off, query, d));
    };
    for (let i = 0; i < candSlots.length; i++) {
      if (Number.isNaN(final) || within(candScores[i] as number, final)) rescore(candSlots[i] as number);
    }
    for (const slot of always) rescore(slot);
    return top.drain().map(({ slot, score }) => ({
      ...this.pointAt(slot, withVector),
      score: euclid ? Math.sqrt(score) : score,
    }));
  }

  private sortedIds(): string[] {
    if (this.sorted === null) this.sorted = [...this.ids].sort();
    return this.sorted;
  }

  /**
   * Points in ascending id order from `offset` (inclusive, need not exist), and the id of the
   * next matching point after the page, as Qdrant's scroll does.
   */
  scroll(limit: number, offset: string | undefined, pred: PointPredicate | undefined, withVector: boolean): { points: StoredPoint[]; next: string | null } {
    const ids = this.sortedIds();
    let i = offset === undefined ? 0 : lowerBound(ids, offset);
    const points: StoredPoint[] = [];
    for (; i < ids.length; i++) {
      const id = ids[i] as string;
      const slot = this.slotOf.get(id) as number;
      if (pred !== undefined && !pred(id, this.payloadAt(slot))) continue;
      if (points.length === limit) return { points, next: id };
      points.push(this.pointAt(slot, withVector));
    }
    return { points, next: null };
  }
}

/** The k-th best of the offered scores (lowest when `lowerIsBetter`). */
class KthBest {
  private readonly heap: Float64Array;
  private n = 0;

  constructor(
    k: number,
    private readonly lowerIsBetter: boolean,
  ) {
    this.heap = new Float64Array(k);
  }

  /** Root = the worst kept score. */
  private worse(a: number, b: number): boolean {
    return this.lowerIsBetter ? a > b : a < b;
  }

  offer(s: number): void {
    const h = this.heap;
    const k = h.length;
    if (k === 0) return;
    if (this.n < k) {
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(s, h[p] as number)) break;
        h[i] = h[p] as number;
        i = p;
      }
      h[i] = s;
      return;
    }
    if (!this.worse(h[0] as number, s)) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= k) break;
      const r = l + 1;
      const w = r < k && this.worse(h[r] as number, h[l] as number) ? r : l;
      if (!this.worse(h[w] as number, s)) break;
      h[i] = h[w] as number;
      i = w;
    }
    h[i] = s;
  }

  full(): boolean {
    return this.n === this.heap.length && this.n > 0;
  }

  value(): number {
    return this.heap[0] as number;
  }
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Bounded heap of the best `k` (slot, score) pairs; the root is the worst kept entry so a
 * candidate is compared against it once. "Better" is lower for distances, higher for products,
 * then the smaller id.
 */
class TopK {
  private readonly slots: Int32Array;
  private readonly scores: Float64Array;
  private n = 0;

  constructor(
    k: number,
    private readonly lowerIsBetter: boolean,
    private readonly ids: readonly string[],
  ) {
    const cap = Math.min(k, ids.length);
    this.slots = new Int32Array(cap);
    this.scores = new Float64Array(cap);
  }

  /** True when (sa, a) ranks before (sb, b). */
  private better(sa: number, a: number, sb: number, b: number): boolean {
    if (sa !== sb) return this.lowerIsBetter ? sa < sb : sa > sb;
    return (this.ids[a] as string) < (this.ids[b] as string);
  }

  offer(slot: number, score: number): void {
    const cap = this.slots.length;
    if (cap === 0) return;
    if (this.n < cap) {
      let i = this.n++;
      // sift up: parents are worse-or-equal than children (root = worst)
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.better(this.scores[p] as number, this.slots[p] as number, score, slot)) break;
        this.slots[i] = this.slots[p] as number;
        this.scores[i] = this.scores[p] as number;
        i = p;
      }
      this.slots[i] = slot;
      this.scores[i] = score;
      return;
    }
    if (!this.better(score, slot, this.scores[0] as number, this.slots[0] as number)) return;
    let i = 0;
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let w = l;
      if (r < n && this.better(this.scores[l] as number, this.slots[l] as number, this.scores[r] as number, this.slots[r] as number)) w = r;
      if (!this.better(score, slot, this.scores[w] as number, this.slots[w] as number)) break;
      this.slots[i] = this.slots[w] as number;
      this.scores[i] = this.scores[w] as number;
      i = w;
    }
    this.slots[i] = slot;
    this.scores[i] = score;
  }

  /** Kept entries, best first. */
  drain(): { slot: number; score: number }[] {
    const out: { slot: number; score: number }[] = [];
    for (let i = 0; i < this.n; i++) out.push({ slot: this.slots[i] as number, score: this.scores[i] as number });
    out.sort((x, y) => (this.better(x.score, x.slot, y.score, y.slot) ? -1 : 1));
    return out;
  }
}

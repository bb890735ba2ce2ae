/**
 * A Backend whose search costs nothing: `query` hands back precomputed candidates and
 * `retrieve` reads an in-memory map, so timing SealedCollection.search on top of it measures
 * the client alone (query encryption, decoding, opening candidates, re-rank, payload
 * decryption). It honours `withVector` and `withPayload` selectors like a real store, and
 * counts the bytes each call would have carried, so a leaner fetch shows up as fewer bytes per
 * candidate. Storage and metadata calls are delegated to an inner backend.
 */
import type {
  Backend,
  CollectionDescription,
  CollectionSpec,
  Filter,
  Payload,
  PayloadSelector,
  Point,
  QueryRequest,
  RetrieveOptions,
  ScoredPoint,
  ScrollPage,
  ScrollRequest,
  UpsertOptions,
  UpsertResult,
} from '@sealvec/qdrant';

function select(payload: Payload, selector: PayloadSelector | undefined): Payload {
  if (selector === undefined || selector === true) return payload;
  if (selector === false) return {};
  const out: Payload = {};
  for (const k of selector) if (k in payload) out[k] = payload[k];
  return out;
}

/** Bytes a point would carry: its payload as JSON plus its vector as float32. */
export function wireBytes(payload: Payload, vector: Float32Array | undefined): number {
  return Buffer.byteLength(JSON.stringify(payload)) + (vector ? vector.byteLength : 0);
}

/** JSON bytes of each top-level payload entry (`"key":value`), so selections are priced without serializing in the timed path. */
function entrySizes(payload: Payload): Map<string, number> {
  return new Map(Object.entries(payload).map(([k, v]) => [k, Buffer.byteLength(JSON.stringify({ [k]: v })) - 2]));
}

function selectedBytes(sizes: Map<string, number>, selector: PayloadSelector | undefined): number {
  if (selector === false) return 2;
  let s = 2;
  let n = 0;
  for (const [k, b] of sizes) {
    if (selector === undefined || selector === true || selector.includes(k)) {
      s += b;
      n++;
    }
  }
  return s + Math.max(0, n - 1);
}

export class CannedBackend implements Backend {
  readonly #inner: Backend;
  readonly #points = new Map<string, Map<string, Point>>();
  readonly #sizes = new Map<string, Map<string, number>>();
  /** Candidate order per collection: every stored point, in insertion order. */
  readonly #order = new Map<string, string[]>();
  /** Traffic since the last `take()`: calls, points and bytes, and time spent inside calls. */
  #traffic = { calls: 0, points: 0, bytes: 0, ms: 0 };

  constructor(inner: Backend) {
    this.#inner = inner;
  }

  /** Returns and resets the traffic counters. */
  take(): { calls: number; points: number; bytes: number; ms: number } {
    const t = this.#traffic;
    this.#traffic = { calls: 0, points: 0, bytes: 0, ms: 0 };
    return t;
  }

  async createCollection(spec: CollectionSpec): Promise<void> {
    await this.#inner.createCollection(spec);
    this.#points.set(spec.name, new Map());
    this.#order.set(spec.name, []);
  }

  describe(name: string): Promise<CollectionDescription | null> {
    return this.#inner.describe(name);
  }

  async deleteCollection(name: string): Promise<void> {
    await this.#inner.deleteCollection(name);
    this.#points.delete(name);
    this.#order.delete(name);
  }

  async upsert(name: string, points: Point[], options?: UpsertOptions): Promise<UpsertResult> {
    const res = await this.#inner.upsert(name, points, options);
    const map = this.#get(name);
    const order = this.#order.get(name)!;
    const stored = new Set(res.stored);
    for (const p of points) {
      if (!stored.has(p.id)) continue;
      if (!map.has(p.id)) order.push(p.id);
      map.set(p.id, p);
      this.#sizes.set(`${name}\u0000${p.id}`, entrySizes(p.payload));
    }
    return res;
  }

  /** The first `limit` stored points, whatever the query vector or filter (they are all the user's). */
  async query(name: string, request: QueryRequest): Promise<ScoredPoint[]> {
    const t = performance.now();
    const map = this.#get(name);
    const ids = this.#order.get(name)!.slice(0, request.limit);
    const out: ScoredPoint[] = ids.map((id, i) => {
      const p = map.get(id)!;
      const payload = select(p.payload, request.withPayload);
      const vector = request.withVector ? p.vector : undefined;
      this.#traffic.bytes += this.#bytes(name, p, request.withPayload, request.withVector === true);
      return { id, score: i, payload, ...(vector ? { vector } : {}) };
    });
    this.#traffic.calls++;
    this.#traffic.points += out.length;
    this.#traffic.ms += performance.now() - t;
    return out;
  }

  async retrieve(name: string, ids: string[], options?: RetrieveOptions): Promise<Point[]> {
    const t = performance.now();
    const map = this.#get(name);
    const out: Point[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const p = map.get(id);
      if (!p || seen.has(id)) continue;
      seen.add(id);
      const payload = select(p.payload, options?.withPayload);
      const vector = options?.withVector ? p.vector : new Float32Array(0);
      this.#traffic.bytes += this.#bytes(name, p, options?.withPayload, options?.withVector === true);
      out.push({ id, vector, payload });
    }
    this.#traffic.calls++;
    this.#traffic.points += out.length;
    this.#traffic.ms += performance.now() - t;
    return out;
  }

  scroll(name: string, request: ScrollRequest): Promise<ScrollPage> {
    return this.#inner.scroll(name, request);
  }

  delete(name: string, selector: { ids: string[] } | { filter: Filter }): Promise<void> {
    return this.#inner.delete(name, selector);
  }

  count(name: string, filter?: Filter): Promise<number> {
    return this.#inner.count(name, filter);
  }

  async setPayload(name: string, updates: { id: string; payload: Payload }[]): Promise<void> {
    await this.#inner.setPayload(name, updates);
    const map = this.#get(name);
    for (const u of updates) {
      const p = map.get(u.id);
      if (!p) continue;
      const next = { ...p, payload: { ...p.payload, ...u.payload } };
      map.set(u.id, next);
      this.#sizes.set(`${name}\u0000${u.id}`, entrySizes(next.payload));
    }
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #bytes(name: string, p: Point, selector: PayloadSelector | undefined, withVector: boolean): number {
    const sizes = this.#sizes.get(`${name}\u0000${p.id}`);
    return (sizes ? selectedBytes(sizes, selector) : wireBytes(select(p.payload, selector), undefined)) + (withVector ? p.vector.byteLength : 0);
  }

  #get(name: string): Map<string, Point> {
    const m = this.#points.get(name);
    if (!m) throw new RangeError(`collection "${name}" was not created through this CannedBackend`);
    return m;
  }
}

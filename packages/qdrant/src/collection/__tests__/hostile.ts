/**
 * A hostile store for tests: a Backend that forwards to an honest one and lets a test rewrite
 * what comes back (collection metadata, query results, retrieved and scrolled points) and count
 * what the client asked for. The store is an adversary: every attack on the client starts here.
 */
import type {
  Backend,
  CollectionDescription,
  CollectionSpec,
  Filter,
  Payload,
  Point,
  QueryRequest,
  RetrieveOptions,
  ScoredPoint,
  ScrollPage,
  ScrollRequest,
  UpsertOptions,
  UpsertResult,
} from '../../backend/types.js';

export interface Tamper {
  metadata?: (m: Record<string, unknown>) => Record<string, unknown>;
  query?: (points: ScoredPoint[], request: QueryRequest) => ScoredPoint[];
  retrieve?: (points: Point[], ids: string[]) => Point[];
  scroll?: (page: ScrollPage) => ScrollPage;
}

export class HostileBackend implements Backend {
  tamper: Tamper = {};
  readonly calls: { op: string; detail?: unknown }[] = [];
  constructor(readonly inner: Backend) {}

  count(name: string, filter?: Filter): Promise<number> {
    this.calls.push({ op: 'count' });
    return this.inner.count(name, filter);
  }
  createCollection(spec: CollectionSpec): Promise<void> {
    return this.inner.createCollection(spec);
  }
  async describe(name: string): Promise<CollectionDescription | null> {
    const d = await this.inner.describe(name);
    if (d === null || this.tamper.metadata === undefined) return d;
    return { ...d, metadata: this.tamper.metadata(structuredClone(d.metadata)) };
  }
  deleteCollection(name: string): Promise<void> {
    return this.inner.deleteCollection(name);
  }
  upsert(name: string, points: Point[], options?: UpsertOptions): Promise<UpsertResult> {
    this.calls.push({ op: 'upsert' });
    return this.inner.upsert(name, points, options);
  }
  async query(name: string, request: QueryRequest): Promise<ScoredPoint[]> {
    this.calls.push({ op: 'query', detail: { limit: request.limit } });
    const res = await this.inner.query(name, request);
    return this.tamper.query ? this.tamper.query(res, request) : res;
  }
  async retrieve(name: string, ids: string[], options?: RetrieveOptions): Promise<Point[]> {
    this.calls.push({ op: 'retrieve', detail: { ids: ids.length } });
    const res = await this.inner.retrieve(name, ids, options);
    return this.tamper.retrieve ? this.tamper.retrieve(res, ids) : res;
  }
  async scroll(name: string, request: ScrollRequest): Promise<ScrollPage> {
    this.calls.push({ op: 'scroll' });
    const page = await this.inner.scroll(name, request);
    return this.tamper.scroll ? this.tamper.scroll(page) : page;
  }
  delete(name: string, selector: { ids: string[] } | { filter: Filter }): Promise<void> {
    return this.inner.delete(name, selector);
  }
  setPayload(name: string, updates: { id: string; payload: Payload }[]): Promise<void> {
    return this.inner.setPayload(name, updates);
  }
  setMetadata(name: string, metadata: Record<string, unknown>): Promise<void> {
    if (this.inner.setMetadata === undefined) throw new TypeError('inner backend cannot set metadata');
    return this.inner.setMetadata(name, metadata);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  reset(): void {
    this.calls.length = 0;
  }
}

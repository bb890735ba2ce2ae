/**
 * An in-process stand-in for Qdrant's REST API, for tests (ours and the CLI's): a node:http
 * server on 127.0.0.1 with an ephemeral port, speaking the endpoints QdrantBackend uses through
 * @qdrant/js-client-rest 1.18.0, with Qdrant's response envelopes
 *   success: { result, status: "ok", time }      failure: { status: { error }, time }
 * and status codes (404 unknown collection or point, 400 bad input such as a wrong vector
 * dimension, 409 existing collection, 413 body over the limit). Storage is a memory
 * LocalBackend, so the semantics of filters, scores and scroll are the local backend's.
 *
 * Endpoints: GET / (version), GET /collections, GET|PUT|DELETE /collections/{name},
 * GET /collections/{name}/exists, PUT /collections/{name}/index, PUT /collections/{name}/points
 * (upsert), POST /collections/{name}/points (retrieve), POST .../points/query, .../points/scroll,
 * .../points/count, .../points/delete, .../points/payload (set payload by ids).
 * Deviations: point ids must be UUIDs (no integer ids); no named or sparse vectors; query takes
 * a plain vector (`query: [..]` or `{ nearest: [..] }`), no prefetch or fusion;
 * `score_threshold`, `params`, `consistency` and `wait` are accepted and ignored (every write is
 * applied before the response, as with wait=true).
 *
 * Fault injection (`inject`): answer with a status (500, 429 + Retry-After, ...), delay the
 * answer (e.g. past the client's timeout; the request is still applied afterwards, as a slow
 * server would), or destroy the socket before or after applying the request. Each fault fires a
 * bounded number of times on matching requests; delays are capped; `close` cancels everything.
 *
 * Not exported from the package index: test support only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Conflict, DimensionMismatch, NotFound } from '@sealvec/core';
import { LocalBackend } from './local.js';
import type { Distance, Filter, Payload, Point } from './types.js';

export type Fault =
  | { kind: 'status'; status: number; message?: string; retryAfter?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop'; when: 'before-apply' | 'after-apply' };

export interface FaultMatch {
  /** HTTP method, e.g. 'PUT'; any when absent. */
  method?: string;
  /** Tested against the path without query string; any when absent. */
  path?: RegExp;
}

export interface RequestRecord {
  method: string;
  path: string;
  /** The status sent, or 'dropped' when the socket was destroyed instead. */
  status: number | 'dropped';
  /** Kind of the fault applied to this request, if any. */
  fault?: Fault['kind'];
  /** Points in an upsert body. */
  points?: number;
  /** Whether the request changed or read storage (false when a fault or limit stopped it). */
  applied: boolean;
}

export interface StandinOptions {
  /** Bodies larger than this get 413 (default 32 MiB, Qdrant's default). */
  maxBodyBytes?: number;
  /** Reported by GET / (default '1.18.0'). */
  version?: string;
  /** false emulates Qdrant before 1.16, which ignores collection metadata (default true). */
  collectionMetadata?: boolean;
}

const MAX_DELAY_MS = 60_000;
const MAX_FAULT_TIMES = 10_000;
const MAX_RECORDS = 10_000;
const UUID_ANY_CASE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (m: string) => new HttpError(400, `Format error in JSON body: ${m}`);
const wrongInput = (m: string) => new HttpError(400, `Wrong input: ${m}`);
const collectionMissing = (name: string) => new HttpError(404, `Not found: Collection \`${name}\` doesn't exist!`);

interface Armed {
  fault: Fault;
  match: FaultMatch;
  left: number;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function pointId(v: unknown): string {
  if (typeof v === 'number') throw wrongInput('the stand-in supports UUID point ids only');
  if (typeof v !== 'string' || !UUID_ANY_CASE.test(v)) throw badRequest(`Unable to parse UUID: ${String(v)}`);
  return v.toLowerCase();
}

function numbers(v: unknown, what: string): Float32Array {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) throw badRequest(`${what}: expected a list of numbers`);
  return Float32Array.from(v as number[]);
}

function withFlag(v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  throw badRequest('with_payload/with_vector: only booleans are supported by the stand-in');
}

function limitOf(v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw badRequest('limit: expected a positive integer');
  return v;
}

export class QdrantStandin {
  readonly url: string;
  readonly requests: RequestRecord[] = [];
  maxBodyBytes: number;
  private readonly version: string;
  private readonly keepMetadata: boolean;
  private readonly server: Server;
  private readonly store = new LocalBackend();
  private readonly indexes = new Map<string, Map<string, unknown>>();
  private readonly faults: Armed[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private closing = false;
  private rejectRule: { test: (p: Point) => boolean; message: string } | null = null;
  /** Requests being handled right now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;

  private constructor(server: Server, url: string, options: StandinOptions) {
    this.server = server;
    this.url = url;
    this.maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
    this.version = options.version ?? '1.18.0';
    this.keepMetadata = options.collectionMetadata ?? true;
  }

  static async start(options: StandinOptions = {}): Promise<QdrantStandin> {
    let self: QdrantStandin | undefined;
    const server = createServer((req, res) => {
      if (self !== undefined) self.handle(req, res);
      else res.destroy();
    });
    server.requestTimeout = 120_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    self = new QdrantStandin(server, `http://127.0.0.1:${port}`, options);
    server.on('connection', (s) => {
      self?.sockets.add(s);
      s.on('close', () => self?.sockets.delete(s));
    });
    return self;
  }

  /** Arms `fault` for the next `times` (default 1) requests matching `match`. */
  inject(fault: Fault, options: FaultMatch & { times?: number } = {}): void {
    const { times = 1, ...match } = options;
    if (!Number.isSafeInteger(times) || times < 1 || times > MAX_FAULT_TIMES) {
      throw new RangeError(`"times" expected integer in [1, ${MAX_FAULT_TIMES}], got ${times}`);
    }
    if (fault.kind === 'delay' && !(fault.ms >= 0 && fault.ms <= MAX_DELAY_MS)) {
      throw new RangeError(`"ms" expected number in [0, ${MAX_DELAY_MS}], got ${fault.ms}`);
    }
    this.faults.push({ fault, match, left: times });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /**
   * Refuses, with 400 and `message`, every upsert whose body holds a point matching `test` (as
   * Qdrant refuses a whole batch for one bad point), until called with null.
   */
  rejectUpserts(test: ((p: Point) => boolean) | null, message = 'Wrong input: rejected by the stand-in'): void {
    this.rejectRule = test === null ? null : { test, message };
  }

  /** Faults still armed (total remaining firings). */
  get pendingFaults(): number {
    return this.faults.reduce((n, f) => n + f.left, 0);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.store.close();
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex(
      (a) => a.left > 0 && (a.match.method === undefined || a.match.method === method) && (a.match.path === undefined || a.match.path.test(path)),
    );
    if (i < 0) return undefined;
    const a = this.faults[i] as Armed;
    if (--a.left === 0) this.faults.splice(i, 1);
    return a.fault;
  }

  private record(r: RequestRecord): void {
    this.requests.push(r);
    if (this.requests.length > MAX_RECORDS) this.requests.shift();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] as string;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > this.maxBodyBytes) tooLarge = true;
      else chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      const time = () => Number(process.hrtime.bigint() - started) / 1e9;
      const send = (reply: Reply, rec: Omit<RequestRecord, 'method' | 'path' | 'status'>) => {
        const ok = reply.status >= 200 && reply.status < 300;
        const body = ok ? { result: reply.body, status: 'ok', time: time() } : { status: { error: reply.body }, time: time() };
        const text = path === '/' && ok ? JSON.stringify(reply.body) : JSON.stringify(body);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
        res.end(text);
        this.record({ method, path, status: reply.status, ...rec });
      };
      if (tooLarge) {
        const msg = `JSON payload (${size} bytes) is larger than allowed (limit: ${this.maxBodyBytes} bytes).`;
        send({ status: 413, body: msg }, { applied: false });
        return;
      }
      let body: unknown;
      let parseError: unknown = null;
      try {
        body = chunks.length === 0 ? undefined : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch (e) {
        parseError = e;
      }
      const points = method === 'PUT' && /\/points$/.test(path) && isObject(body) && Array.isArray(body['points']) ? body['points'].length : undefined;
      const fault = this.takeFault(method, path);
      const drop = (applied: boolean) => {
        req.socket.destroy();
        this.record({ method, path, status: 'dropped', fault: 'drop', applied, ...(points !== undefined ? { points } : {}) });
      };
      if (fault?.kind === 'status') {
        const headers = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : undefined;
        send(
          { status: fault.status, body: fault.message ?? `Service internal error: injected ${fault.status}`, ...(headers ? { headers } : {}) },
          { fault: 'status', applied: false },
        );
        return;
      }
      if (fault?.kind === 'drop' && fault.when === 'before-apply') {
        drop(false);
        return;
      }
      const run = async () => {
        let reply: Reply;
        try {
          if (parseError !== null) throw parseError;
          reply = await this.route(method, path, body);
        } catch (e) {
          reply = this.errorReply(e);
        }
        if (this.closing) return;
        if (fault?.kind === 'drop') drop(true);
        else send(reply, { applied: reply.status < 300, ...(fault ? { fault: fault.kind } : {}), ...(points !== undefined ? { points } : {}) });
      };
      if (fault?.kind === 'delay') {
        const t = setTimeout(() => {
          this.timers.delete(t);
          void run();
        }, fault.ms);
        this.timers.add(t);
      } else {
        void run();
      }
    });
  }

  private errorReply(e: unknown): Reply {
    if (e instanceof HttpError) return { status: e.status, body: e.message };
    if (e instanceof SyntaxError) return { status: 400, body: `Format error in JSON body: ${e.message}` };
    if (e instanceof TypeError || e instanceof RangeError) return { status: 400, body: `Format error in JSON body: ${e.message}` };
    if (e instanceof NotFound) return { status: 404, body: `Not found: ${e.message}` };
    if (e instanceof Conflict) return { status: 409, body: `Wrong input: ${e.message}` };
    if (e instanceof DimensionMismatch) return { status: 400, body: `Wrong input: ${e.message}` };
    return { status: 500, body: `Service internal error: ${e instanceof Error ? e.message : String(e)}` };
  }

  private async route(method: string, path: string, body: unknown): Promise<Reply> {
    if (path === '/' && method === 'GET') return { status: 200, body: { title: 'qdrant - vector search engine (sealvec stand-in)', version: this.version } };
    if (path === '/collections' && method === 'GET') {
      return { status: 200, body: { collections: [...this.indexes.keys()].map((name) => ({ name })) } };
    }
    const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (m === null) throw new HttpError(404, `Not found: no route for ${method} ${path}`);
    let name: string;
    try {
      name = decodeURIComponent(m[1] as string);
    } catch {
      throw badRequest('collection name is not valid percent-encoding');
    }
    const rest = m[2] ?? '';
    const b = isObject(body) ? body : {};
    switch (`${method} ${rest}`) {
      case 'GET ':
        return this.getCollection(name);
      case 'PUT ':
        return this.createCollection(name, b);
      case 'DELETE ': {
        const existed = this.indexes.delete(name);
        await this.store.deleteCollection(name);
        return { status: 200, body: existed };
      }
      case 'GET /exists':
        return { status: 200, body: { exists: this.indexes.has(name) } };
      case 'PUT /index':
        return this.createIndex(name, b);
      case 'PUT /points':
        return this.upsert(name, b);
      case 'POST /points':
        return this.retrieve(name, b);
      case 'POST /points/query':
        return this.query(name, b);
      case 'POST /points/scroll':
        return this.scroll(name, b);
      case 'POST /points/count':
        return { status: 200, body: { count: await this.store.count(name, this.filterOf(name, b)) } };
      case 'POST /points/delete':
        return this.deletePoints(name, b);
      case 'POST /points/payload':
        return this.setPayload(name, b);
      default:
        throw new HttpError(404, `Not found: no route for ${method} ${path}`);
    }
  }

  private exists(name: string): void {
    if (!this.indexes.has(name)) throw collectionMissing(name);
  }

  private filterOf(name: string, b: Record<string, unknown>): Filter | undefined {
    this.exists(name);
    const f = b['filter'];
    return f === undefined || f === null ? undefined : (f as Filter);
  }

  private async dimensionOf(name: string): Promise<number> {
    const d = await this.store.describe(name);
    if (d === null) throw collectionMissing(name);
    return d.dimension;
  }

  private async getCollection(name: string): Promise<Reply> {
    const d = await this.store.describe(name);
    if (d === null) throw collectionMissing(name);
    const count = await this.store.count(name);
    const schema: Record<string, unknown> = {};
    for (const [field, s] of this.indexes.get(name) ?? new Map<string, unknown>()) {
      schema[field] = isObject(s) ? { data_type: s['type'], params: s, points: count } : { data_type: s, points: count };
    }
    return {
      status: 200,
      body: {
        status: 'green',
        optimizer_status: 'ok',
        indexed_vectors_count: 0,
        points_count: count,
        segments_count: 1,
        config: {
          params: {
            vectors: { size: d.dimension, distance: d.distance },
            shard_number: 1,
            replication_factor: 1,
            write_consistency_factor: 1,
            on_disk_payload: true,
          },
          hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false },
          optimizer_config: {
            deleted_threshold: 0.2,
            vacuum_min_vector_number: 1000,
            default_segment_number: 0,
            flush_interval_sec: 5,
          },
          wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
          quantization_config: null,
          metadata: d.metadata,
        },
        payload_schema: schema,
      },
    };
  }

  private async createCollection(name: string, b: Record<string, unknown>): Promise<Reply> {
    if (this.indexes.has(name)) throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
    const v = b['vectors'];
    if (!isObject(v) || typeof v['size'] !== 'number' || typeof v['distance'] !== 'string') {
      throw badRequest('vectors: expected { size, distance } (named vectors are not supported by the stand-in)');
    }
    const distance = v['distance'];
    if (distance !== 'Euclid' && distance !== 'Dot') {
      throw wrongInput(`the stand-in supports Euclid and Dot distance only, got ${distance}`);
    }
    const md = b['metadata'];
    await this.store.createCollection({
      name,
      dimension: v['size'],
      distance: distance as Distance,
      ...(isObject(md) && this.keepMetadata ? { metadata: md } : {}),
    });
    this.indexes.set(name, new Map());
    return { status: 200, body: true };
  }

  private createIndex(name: string, b: Record<string, unknown>): Reply {
    const idx = this.indexes.get(name);
    if (idx === undefined) throw collectionMissing(name);
    const field = b['field_name'];
    const schema = b['field_schema'];
    if (typeof field !== 'string' || field.length === 0) throw badRequest('field_name: expected a non-empty string');
    if (typeof schema !== 'string' && !isObject(schema)) throw badRequest('field_schema: expected a type name or params');
    idx.set(field, schema);
    return { status: 200, body: { operation_id: 0, status: 'completed' } };
  }

  private async upsert(name: string, b: Record<string, unknown>): Promise<Reply> {
    const dim = await this.dimensionOf(name);
    const raw = b['points'];
    if (!Array.isArray(raw)) throw badRequest('expected { points: [...] } (the batch form is not supported by the stand-in)');
    const points: Point[] = raw.map((p: unknown, i) => {
      if (!isObject(p)) throw badRequest(`points[${i}]: expected an object`);
      const vector = numbers(p['vector'], `points[${i}].vector`);
      if (vector.length !== dim) throw wrongInput(`Vector dimension error: expected dim: ${dim}, got ${vector.length}`);
      const payload = p['payload'] === undefined || p['payload'] === null ? {} : p['payload'];
      if (!isObject(payload)) throw badRequest(`points[${i}].payload: expected an object`);
      return { id: pointId(p['id']), vector, payload: payload as Payload };
    });
    const rule = this.rejectRule;
    if (rule !== null && points.some((p) => rule.test(p))) throw new HttpError(400, rule.message);
    const res = await this.store.upsert(name, points);
    if (res.failed.length > 0) throw wrongInput((res.failed[0] as { error: Error }).error.message);
    return { status: 200, body: { operation_id: 0, status: 'completed' } };
  }

  private async retrieve(name: string, b: Record<string, unknown>): Promise<Reply> {
    this.exists(name);
    const ids = b['ids'];
    if (!Array.isArray(ids)) throw badRequest('ids: expected a list');
    const withPayload = withFlag(b['with_payload'], true);
    const withVector = withFlag(b['with_vector'], false);
    const points = await this.store.retrieve(name, ids.map(pointId), { withVector });
    return { status: 200, body: points.map((p) => this.wireRecord(p, withPayload, withVector)) };
  }

  private wireRecord(p: { id: string; payload: Payload; vector?: Float32Array }, withPayload: boolean, withVector: boolean): Record<string, unknown> {
    const r: Record<string, unknown> = { id: p.id };
    if (withPayload) r['payload'] = p.payload;
    if (withVector && p.vector !== undefined) r['vector'] = Array.from(p.vector);
    return r;
  }

  private async query(name: string, b: Record<string, unknown>): Promise<Reply> {
    const dim = await this.dimensionOf(name);
    let q = b['query'] ?? b['vector'];
    if (isObject(q) && 'nearest' in q) q = q['nearest'];
    if (q === undefined || q === null) throw wrongInput('the stand-in needs a query vector');
    const vector = numbers(q, 'query');
    if (vector.length !== dim) throw wrongInput(`Vector dimension error: expected dim: ${dim}, got ${vector.length}`);
    const limit = limitOf(b['limit'], 10);
    const offset = b['offset'] === undefined || b['offset'] === null ? 0 : limitOf(b['offset'], 0);
    const withPayload = withFlag(b['with_payload'], false);
    const withVector = withFlag(b['with_vector'], false);
    const filter = this.filterOf(name, b);
    const found = await this.store.query(name, { vector, limit: limit + offset, withVector, ...(filter ? { filter } : {}) });
    return {
      status: 200,
      body: { points: found.slice(offset).map((p) => ({ ...this.wireRecord(p, withPayload, withVector), version: 0, score: p.score })) },
    };
  }

  private async scroll(name: string, b: Record<string, unknown>): Promise<Reply> {
    const filter = this.filterOf(name, b);
    const withPayload = withFlag(b['with_payload'], true);
    const withVector = withFlag(b['with_vector'], false);
    const offset = b['offset'] === undefined || b['offset'] === null ? undefined : pointId(b['offset']);
    const page = await this.store.scroll(name, {
      limit: limitOf(b['limit'], 10),
      withVector,
      ...(offset !== undefined ? { offset } : {}),
      ...(filter ? { filter } : {}),
    });
    return {
      status: 200,
      body: { points: page.points.map((p) => this.wireRecord(p, withPayload, withVector)), next_page_offset: page.nextOffset },
    };
  }

  private async deletePoints(name: string, b: Record<string, unknown>): Promise<Reply> {
    this.exists(name);
    if (Array.isArray(b['points'])) await this.store.delete(name, { ids: b['points'].map(pointId) });
    else if (isObject(b['filter'])) await this.store.delete(name, { filter: b['filter'] as Filter });
    else throw badRequest('expected { points: [...] } or { filter: {...} }');
    return { status: 200, body: { operation_id: 0, status: 'completed' } };
  }

  private async setPayload(name: string, b: Record<string, unknown>): Promise<Reply> {
    this.exists(name);
    const payload = b['payload'];
    if (!isObject(payload)) throw badRequest('payload: expected an object');
    if (!Array.isArray(b['points'])) throw wrongInput('the stand-in sets payload by point ids only');
    const ids = b['points'].map(pointId);
    const present = new Set((await this.store.retrieve(name, ids)).map((p) => p.id));
    const missing = ids.find((id) => !present.has(id));
    if (missing !== undefined) throw new HttpError(404, `Not found: No point with id ${missing} found`);
    await this.store.setPayload(
      name,
      ids.map((id) => ({ id, payload: payload as Payload })),
    );
    return { status: 200, body: { operation_id: 0, status: 'completed' } };
  }
}

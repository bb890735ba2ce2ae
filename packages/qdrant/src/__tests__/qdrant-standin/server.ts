/**
 * An in-process stand-in for Qdrant's REST API, for tests only (it is not part of the published
 * package: `files` in package.json leaves out src/**\/__tests__): a node:http server on 127.0.0.1
 * with an ephemeral port, speaking the endpoints QdrantBackend and the conformance suite use, with
 * Qdrant's envelopes and status codes:
 *   success: { result, status: "ok", time }      failure: { status: { error }, time }
 *   404 unknown collection or point; 409 existing collection; 400 a body that does not
 *   deserialize, a body over the size limit (actix JsonConfig, src/actix/mod.rs), wrong input
 *   (e.g. vector dimension), and strict-mode violations; 422 validation errors.
 * Storage is its own memory store (./collection.ts): ids are integers or UUIDs, payloads JSON.
 * ./README.md lists what it covers and the deviations; the conformance suite
 * (src/__tests__/conformance) runs the same cases against it and against a real Qdrant.
 *
 * Fault injection (`inject`): answer with a status (500, 429 + Retry-After, ...), delay the
 * answer (the request is still applied afterwards, as a slow server would), destroy the socket
 * before or after applying the request, or apply a write and answer `wait_timeout` (what Qdrant
 * >= 1.17 answers when `wait=true` outlives the request's `timeout`). Each fault fires a bounded
 * number of times on matching requests; delays are capped; `close` cancels everything.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { canonicalPath } from '../../backend/filter.js';
import type { Filter, Payload } from '../../backend/types.js';
import { StandinCollection, type ApproximateModel, type CollectionConfig, type ShardKey, type StoredPoint } from './collection.js';
import { mergeStrictMode, parseStrictMode, SCHEMA_TYPES, strictViolation, type FieldSchema, type StrictModeConfig, type StrictRequest } from './strict-mode.js';
import {
  badRequest,
  denseVector,
  HttpError,
  idKey,
  invalid,
  isObject,
  notFound,
  optBool,
  payloadOf,
  payloadSelector,
  pointId,
  queryParams,
  searchParams,
  selectPayload,
  topLevelKey,
  uint,
  unsupported,
  wireFilter,
  withVectorFlag,
  wrongInput,
  type WireId,
} from './wire.js';

export type Fault =
  | { kind: 'status'; status: number; message?: string; retryAfter?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop'; when: 'before-apply' | 'after-apply' }
  | { kind: 'wait-timeout' };

export interface FaultMatch {
  /** HTTP method, e.g. 'PUT'; any when absent. */
  method?: string;
  /** Tested against the path without query string; any when absent. */
  path?: RegExp;
}

export interface RequestRecord {
  method: string;
  path: string;
  /** The query string's parameters (timeout, consistency, ordering, wait). */
  query: Record<string, string>;
  /** The parsed JSON body; for an upsert, the body without its points. */
  body?: unknown;
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
  /** Bodies larger than this get 400 (default 32 MiB, Qdrant's `max_request_size_mb`). */
  maxBodyBytes?: number;
  /** Reported by GET / (default '1.19.0'). */
  version?: string;
  /** false emulates Qdrant before 1.16, which ignores collection metadata (default true). */
  collectionMetadata?: boolean;
  /** Strict mode for collections created without one (config.yaml `storage.collection.strict_mode`). */
  strictMode?: StrictModeConfig;
  /** Approximate search model (see ./collection.ts); by default every search is exact. */
  approximate?: Partial<ApproximateModel>;
}

/** Strict mode that refuses filters on unindexed fields, as Qdrant Cloud collections do by default. */
export const STRICT_UNINDEXED: StrictModeConfig = { enabled: true, unindexed_filtering_retrieve: false, unindexed_filtering_update: false };

const MAX_DELAY_MS = 60_000;
const MAX_FAULT_TIMES = 10_000;
const MAX_RECORDS = 10_000;
const MAX_NAME = 255;
const BAD_NAME_CHARS = /[<>:"/\\|?*\u0000-\u001f]/;

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

interface Ctx {
  method: string;
  path: string;
  body: Record<string, unknown>;
  query: ReturnType<typeof queryParams>;
  waitTimeout: boolean;
}

function shardSelector(v: unknown): ShardKey[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) return [v];
  if (Array.isArray(v) && v.every((k) => typeof k === 'string' || typeof k === 'number')) return v as ShardKey[];
  throw unsupported('this shard_key selector');
}

export class QdrantStandin {
  readonly url: string;
  readonly requests: RequestRecord[] = [];
  maxBodyBytes: number;
  /** Strict mode given to collections created without one; tests may change it between runs. */
  defaultStrictMode: StrictModeConfig | undefined;
  private readonly version: string;
  private readonly keepMetadata: boolean;
  private readonly model: ApproximateModel;
  private readonly server: Server;
  private readonly collections = new Map<string, StandinCollection>();
  private readonly faults: Armed[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  private closing = false;
  private operationId = 0;
  private rejectRule: { test: (p: { id: WireId; payload: Payload }) => boolean; message: string } | null = null;
  /** Requests being handled right now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;

  private constructor(server: Server, url: string, options: StandinOptions) {
    this.server = server;
    this.url = url;
    this.maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
    this.version = options.version ?? '1.19.0';
    this.keepMetadata = options.collectionMetadata ?? true;
    this.defaultStrictMode = options.strictMode === undefined ? undefined : parseStrictMode(options.strictMode);
    this.model = {
      approximateAbove: options.approximate?.approximateAbove ?? Number.POSITIVE_INFINITY,
      missRate: options.approximate?.missRate ?? ((ef) => Math.min(0.5, 10 / ef)),
    };
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
  rejectUpserts(test: ((p: { id: WireId; payload: Payload }) => boolean) | null, message = 'Wrong input: rejected by the stand-in'): void {
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
    const url = new URL(req.url ?? '/', 'http://standin');
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams);
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
      let body: unknown;
      const points = (b: unknown) => (method === 'PUT' && /\/points$/.test(path) && isObject(b) && Array.isArray(b['points']) ? b['points'].length : undefined);
      const base = () => {
        const n = points(body);
        const shown = n === undefined ? body : { ...(body as Record<string, unknown>), points: undefined };
        return { method, path, query, ...(shown !== undefined ? { body: shown } : {}), ...(n !== undefined ? { points: n } : {}) };
      };
      const send = (reply: Reply, rec: Pick<RequestRecord, 'applied' | 'fault'>) => {
        const ok = reply.status >= 200 && reply.status < 300;
        const envelope = ok ? { result: reply.body, status: 'ok', time: time() } : { status: { error: reply.body }, time: time() };
        const text = path === '/' && ok ? JSON.stringify(reply.body) : JSON.stringify(envelope);
        res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
        res.end(text);
        this.record({ ...base(), status: reply.status, ...rec });
      };
      if (tooLarge) {
        // actix-web's JsonPayloadError::OverflowKnownLength, answered 400 by validation_error_handler
        send({ status: 400, body: `JSON payload (${size} bytes) is larger than allowed (limit: ${this.maxBodyBytes} bytes).` }, { applied: false });
        return;
      }
      let parseError: unknown = null;
      try {
        body = chunks.length === 0 ? undefined : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch (e) {
        parseError = e;
      }
      const fault = this.takeFault(method, path);
      const drop = (applied: boolean) => {
        req.socket.destroy();
        this.record({ ...base(), status: 'dropped', fault: 'drop', applied });
      };
      if (fault?.kind === 'status') {
        const headers = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : undefined;
        send({ status: fault.status, body: fault.message ?? `Service internal error: injected ${fault.status}`, ...(headers ? { headers } : {}) }, { fault: 'status', applied: false });
        return;
      }
      if (fault?.kind === 'drop' && fault.when === 'before-apply') {
        drop(false);
        return;
      }
      const run = () => {
        let reply: Reply;
        try {
          if (parseError !== null) throw badRequest((parseError as Error).message);
          const ctx: Ctx = { method, path, body: isObject(body) ? body : {}, query: queryParams(url.searchParams), waitTimeout: fault?.kind === 'wait-timeout' };
          reply = this.route(ctx);
        } catch (e) {
          reply = errorReply(e);
        }
        if (this.closing) return;
        if (fault?.kind === 'drop') drop(true);
        else send(reply, { applied: reply.status < 300, ...(fault ? { fault: fault.kind } : {}) });
      };
      if (fault?.kind === 'delay') {
        const t = setTimeout(() => {
          this.timers.delete(t);
          run();
        }, fault.ms);
        this.timers.add(t);
      } else {
        run();
      }
    });
  }

  // ---- routing ------------------------------------------------------------------------------

  private route(ctx: Ctx): Reply {
    const { method, path } = ctx;
    if (path === '/' && method === 'GET') return ok({ title: 'qdrant - vector search engine (sealvec stand-in)', version: this.version });
    if (path === '/collections' && method === 'GET') {
      return ok({ collections: [...this.collections.keys()].map((name) => ({ name })) });
    }
    const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (m === null) throw notFound(`no route for ${method} ${path}`);
    let name: string;
    try {
      name = decodeURIComponent(m[1] as string);
    } catch {
      throw badRequest('collection name is not valid percent-encoding');
    }
    if (name.length > MAX_NAME) throw invalid('path parameters', 'collection_name', `value invalid, must be from 1 to ${MAX_NAME} characters`);
    if (BAD_NAME_CHARS.test(name)) throw invalid('path parameters', 'collection_name', 'collection name cannot contain "/" "\\" and other special characters');
    const rest = m[2] ?? '';
    switch (`${method} ${rest}`) {
      case 'GET ':
        return ok(this.get(name).info(this.keepMetadata));
      case 'PUT ':
        return this.createCollection(name, ctx);
      case 'PATCH ':
        return this.updateCollection(name, ctx.body);
      case 'DELETE ':
        return ok(this.collections.delete(name));
      case 'GET /exists':
        return ok({ exists: this.collections.has(name) });
      case 'PUT /index':
        return this.createIndex(name, ctx);
      case 'PUT /shards':
        return this.createShardKey(name, ctx.body);
      case 'GET /shards':
        return ok({ shard_keys: this.get(name).shardKeys.map((key) => ({ key })) });
      case 'PUT /points':
        return this.upsert(name, ctx);
      case 'POST /points':
        return this.retrieve(name, ctx.body);
      case 'POST /points/query':
        return this.query(name, ctx);
      case 'POST /points/scroll':
        return this.scroll(name, ctx);
      case 'POST /points/count':
        return this.count(name, ctx);
      case 'POST /points/delete':
        return this.deletePoints(name, ctx);
      case 'POST /points/payload':
        return this.setPayload(name, ctx, false);
      case 'PUT /points/payload':
        return this.setPayload(name, ctx, true);
      case 'POST /points/payload/delete':
        return this.deletePayload(name, ctx);
      case 'POST /points/payload/clear':
        return this.clearPayload(name, ctx);
      default: {
        const idx = /^\/index\/(.+)$/.exec(rest);
        if (method === 'DELETE' && idx !== null) {
          const c = this.get(name);
          c.indexes.delete(canonicalPath(decodeURIComponent(idx[1] as string), 'field_name'));
          return this.updated(ctx);
        }
        const point = /^\/points\/([^/]+)$/.exec(rest);
        if (method === 'GET' && point !== null) return this.getPoint(name, point[1] as string);
        throw notFound(`no route for ${method} ${path}`);
      }
    }
  }

  private get(name: string): StandinCollection {
    const c = this.collections.get(name);
    if (c === undefined) throw notFound(`Collection \`${name}\` doesn't exist!`);
    return c;
  }

  private strict(c: StandinCollection, ctx: Ctx, req: StrictRequest): void {
    const v = strictViolation(c.config.strictMode, c.indexes, { ...req, ...(ctx.query.timeout !== undefined ? { timeout: ctx.query.timeout } : {}) });
    if (v !== null) throw new HttpError(400, `Bad request: ${v}`);
  }

  /** UpdateResult: `completed` with wait=true, `acknowledged` without, `wait_timeout` when injected. */
  private updated(ctx: Ctx): Reply {
    const status = ctx.waitTimeout ? 'wait_timeout' : ctx.query.wait ? 'completed' : 'acknowledged';
    return ok({ operation_id: ++this.operationId, status });
  }

  // ---- collections --------------------------------------------------------------------------

  private createCollection(name: string, ctx: Ctx): Reply {
    const b = ctx.body;
    if (this.collections.has(name)) throw new HttpError(409, `Wrong input: Collection \`${name}\` already exists!`);
    if (b['sparse_vectors'] !== undefined && b['sparse_vectors'] !== null) throw unsupported('sparse vectors');
    const v = b['vectors'];
    if (!isObject(v) || !('size' in v)) throw unsupported('collections without one unnamed dense vector');
    const size = uint(v['size'], 'vectors.size', 1, 65536);
    const distance = v['distance'];
    if (typeof distance !== 'string' || !['Cosine', 'Euclid', 'Dot', 'Manhattan'].includes(distance)) {
      throw badRequest(`unknown variant \`${String(distance)}\`, expected one of \`Cosine\`, \`Euclid\`, \`Dot\`, \`Manhattan\``);
    }
    if (distance !== 'Euclid' && distance !== 'Dot') throw unsupported(`${distance} distance`);
    const params: Record<string, unknown> = {
      shard_number: b['shard_number'] === undefined || b['shard_number'] === null ? 1 : uint(b['shard_number'], 'shard_number', 1),
      replication_factor: b['replication_factor'] === undefined || b['replication_factor'] === null ? 1 : uint(b['replication_factor'], 'replication_factor', 1),
      write_consistency_factor:
        b['write_consistency_factor'] === undefined || b['write_consistency_factor'] === null ? 1 : uint(b['write_consistency_factor'], 'write_consistency_factor', 1),
      on_disk_payload: optBool(b['on_disk_payload'], 'on_disk_payload') ?? true,
    };
    const sharding = b['sharding_method'];
    if (sharding !== undefined && sharding !== null && sharding !== 'auto' && sharding !== 'custom') {
      throw badRequest(`unknown variant \`${String(sharding)}\`, expected \`auto\` or \`custom\``);
    }
    if (sharding === 'custom') params['sharding_method'] = 'custom';
    const hnsw = { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false, ...checkHnsw(b['hnsw_config']) };
    const quantization = checkQuantization(b['quantization_config']);
    const strictGiven = b['strict_mode_config'] === undefined || b['strict_mode_config'] === null ? undefined : parseStrictMode(b['strict_mode_config']);
    const strictMode = strictGiven === undefined ? this.defaultStrictMode : mergeStrictMode(this.defaultStrictMode, strictGiven);
    const md = b['metadata'];
    if (md !== undefined && md !== null && !isObject(md)) throw badRequest('metadata: expected an object');
    const onDisk = optBool(v['on_disk'], 'vectors.on_disk');
    const config: CollectionConfig = {
      size,
      distance,
      vectorExtra: onDisk === undefined ? {} : { on_disk: onDisk },
      params,
      hnsw,
      optimizers: { deleted_threshold: 0.2, vacuum_min_vector_number: 1000, default_segment_number: 0, flush_interval_sec: 5 },
      wal: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
      quantization,
      strictMode: strictMode === undefined ? undefined : { ...strictMode },
      metadata: isObject(md) && this.keepMetadata ? structuredClone(md as Payload) : undefined,
      custom: sharding === 'custom',
    };
    this.collections.set(name, new StandinCollection(name, config));
    return ok(true);
  }

  private updateCollection(name: string, b: Record<string, unknown>): Reply {
    const c = this.get(name);
    if (b['strict_mode_config'] !== undefined && b['strict_mode_config'] !== null) {
      c.config.strictMode = mergeStrictMode(c.config.strictMode, parseStrictMode(b['strict_mode_config']));
    }
    const md = b['metadata'];
    if (md !== undefined && md !== null) {
      if (!isObject(md)) throw badRequest('metadata: expected an object');
      if (this.keepMetadata) c.updateMetadata(md as Payload);
    }
    const p = b['params'];
    if (isObject(p)) {
      for (const k of ['replication_factor', 'write_consistency_factor'] as const) if (p[k] !== undefined && p[k] !== null) c.config.params[k] = uint(p[k], `params.${k}`, 1);
      if (p['on_disk_payload'] !== undefined) c.config.params['on_disk_payload'] = optBool(p['on_disk_payload'], 'params.on_disk_payload');
    }
    if (b['hnsw_config'] !== undefined && b['hnsw_config'] !== null) Object.assign(c.config.hnsw, checkHnsw(b['hnsw_config']));
    if (b['quantization_config'] !== undefined) c.config.quantization = checkQuantization(b['quantization_config']);
    return ok(true);
  }

  private createIndex(name: string, ctx: Ctx): Reply {
    const c = this.get(name);
    const b = ctx.body;
    const field = b['field_name'];
    if (typeof field !== 'string') throw badRequest('field_name: expected a string');
    const key = (() => {
      try {
        return canonicalPath(field, 'field_name');
      } catch {
        throw badRequest(`Invalid json path: '${field}'`);
      }
    })();
    const schema = b['field_schema'];
    const type = typeof schema === 'string' ? schema : isObject(schema) ? schema['type'] : undefined;
    if (typeof type !== 'string' || !(SCHEMA_TYPES as readonly string[]).includes(type)) {
      throw badRequest('field_schema: data did not match any variant of untagged enum PayloadFieldSchema');
    }
    c.indexes.set(key, structuredClone(schema) as FieldSchema);
    return this.updated(ctx);
  }

  private createShardKey(name: string, b: Record<string, unknown>): Reply {
    const c = this.get(name);
    if (!c.config.custom) throw new HttpError(400, `Bad request: Shard Key ${String(b['shard_key'])} cannot be created with Auto sharding method`);
    const key = b['shard_key'];
    if (typeof key !== 'string' && !(typeof key === 'number' && Number.isSafeInteger(key) && key >= 0)) throw badRequest('shard_key: expected a string or an unsigned integer');
    // lib/collection/src/collection/sharding_keys.rs
    if (c.shardKeys.includes(key)) throw new HttpError(400, `Bad request: Shard key ${key} already exists`);
    c.shardKeys.push(key);
    return ok(true);
  }

  // ---- points -------------------------------------------------------------------------------

  /**
   * The shard key an update goes to (Collection::update_from_client): with custom sharding one
   * is required and must exist (ShardHolder::split_by_shard); with auto sharding a key is refused.
   */
  private writeShards(c: StandinCollection, v: unknown): ShardKey[] | undefined {
    const keys = shardSelector(v);
    if (!c.config.custom) {
      if (keys !== undefined) throw wrongInput(`Shard key ${keys[0]} not found`);
      return undefined;
    }
    if (keys === undefined || keys.length === 0) throw wrongInput('Shard key not specified');
    for (const k of keys) if (!c.shardKeys.includes(k)) throw wrongInput(`Shard key ${k} not found`);
    return keys;
  }

  /** The shard keys a read looks at: all of them without a selector. */
  private readShards(c: StandinCollection, v: unknown): ShardKey[] | undefined {
    const keys = shardSelector(v);
    if (keys === undefined) return undefined;
    if (!c.config.custom) throw new HttpError(400, `Bad request: Shard key ${keys[0]} not found`);
    for (const k of keys) if (!c.shardKeys.includes(k)) throw new HttpError(400, `Bad request: Shard key ${k} not found`);
    return keys;
  }

  private upsert(name: string, ctx: Ctx): Reply {
    const c = this.get(name);
    const b = ctx.body;
    const raw = b['points'];
    if (b['batch'] !== undefined) throw unsupported('the batch form of upsert');
    if (!Array.isArray(raw)) throw badRequest('data did not match any variant of untagged enum PointInsertOperations');
    const shards = this.writeShards(c, b['shard_key']);
    if (shards !== undefined && shards.length > 1) throw unsupported('upserting into several shard keys at once');
    const points: StoredPoint[] = raw.map((p: unknown, i) => {
      if (!isObject(p)) throw badRequest(`points[${i}]: expected an object`);
      const vector = denseVector(p['vector'], `points[${i}].vector`);
      if (vector.length === 0) throw invalid('JSON body', `points[${i}].vector`, 'must not be empty');
      if (vector.length !== c.config.size) throw wrongInput(`Vector dimension error: expected dim: ${c.config.size}, got ${vector.length}`);
      const sp: StoredPoint = { id: pointId(p['id']), vector, payload: structuredClone(payloadOf(p['payload'], `points[${i}].payload`)) };
      if (shards !== undefined) sp.shardKey = shards[0] as ShardKey;
      return sp;
    });
    this.strict(c, ctx, { upsertPoints: points.length });
    const rule = this.rejectRule;
    if (rule !== null && points.some((p) => rule.test(p))) throw new HttpError(400, rule.message);
    c.upsert(points);
    return this.updated(ctx);
  }

  private wireRecord(p: StoredPoint, sel: ReturnType<typeof payloadSelector>, withVector: boolean): Record<string, unknown> {
    const r: Record<string, unknown> = { id: p.id };
    const payload = selectPayload(p.payload, sel);
    if (payload !== undefined) r['payload'] = payload;
    if (withVector) r['vector'] = Array.from(p.vector);
    if (p.shardKey !== undefined) r['shard_key'] = p.shardKey;
    return r;
  }

  private retrieve(name: string, b: Record<string, unknown>): Reply {
    const c = this.get(name);
    const ids = b['ids'];
    if (!Array.isArray(ids)) throw badRequest('ids: expected a list');
    const shards = this.readShards(c, b['shard_key']);
    const sel = payloadSelector(b['with_payload'], true);
    const withVector = withVectorFlag(b['with_vector']);
    const seen = new Set<string>();
    const out: Record<string, unknown>[] = [];
    for (const raw of ids) {
      const id = pointId(raw);
      const p = c.get(id);
      if (p === undefined || seen.has(idKey(id)) || (shards !== undefined && (p.shardKey === undefined || !shards.includes(p.shardKey)))) continue;
      seen.add(idKey(id));
      out.push(this.wireRecord(p, sel, withVector));
    }
    return ok(out);
  }

  private getPoint(name: string, raw: string): Reply {
    const c = this.get(name);
    const id = pointId(/^\d+$/.test(raw) ? Number(raw) : decodeURIComponent(raw));
    const p = c.get(id);
    if (p === undefined) throw notFound(`No point with id ${id} found`);
    return ok(this.wireRecord(p, { all: true }, true));
  }

  private query(name: string, ctx: Ctx): Reply {
    const c = this.get(name);
    const b = ctx.body;
    if (b['prefetch'] !== undefined && b['prefetch'] !== null) throw unsupported('prefetch');
    if (b['using'] !== undefined && b['using'] !== null) throw unsupported('named vectors (using)');
    let q = b['query'];
    if (isObject(q) && 'nearest' in q) q = q['nearest'];
    if (q === undefined || q === null) throw unsupported('queries without a vector');
    const vector = denseVector(q, 'query');
    if (vector.length !== c.config.size) throw wrongInput(`Vector dimension error: expected dim: ${c.config.size}, got ${vector.length}`);
    const limit = b['limit'] === undefined || b['limit'] === null ? 10 : uint(b['limit'], 'limit', 1);
    const offset = b['offset'] === undefined || b['offset'] === null ? 0 : uint(b['offset'], 'offset', 0);
    const params = searchParams(b['params']);
    const filter = wireFilter(b['filter']);
    const threshold = b['score_threshold'];
    if (threshold !== undefined && threshold !== null && typeof threshold !== 'number') throw badRequest('score_threshold: expected a number');
    const shards = this.readShards(c, b['shard_key']);
    this.strict(c, ctx, {
      limit: limit + offset,
      ...(filter !== undefined ? { readFilter: filter } : {}),
      exact: params.exact,
      ...(params.hnswEf !== undefined ? { hnswEf: params.hnswEf } : {}),
      ...(params.oversampling !== undefined ? { oversampling: params.oversampling } : {}),
    });
    const sel = payloadSelector(b['with_payload'], false);
    const withVector = withVectorFlag(b['with_vector']);
    const found = c.search(
      { vector, limit, offset, filter, exact: params.exact, hnswEf: params.hnswEf, scoreThreshold: typeof threshold === 'number' ? threshold : undefined, shardKeys: shards },
      this.model,
    );
    return ok({ points: found.map(({ point, score }) => ({ ...this.wireRecord(point, sel, withVector), version: 0, score })) });
  }

  private scroll(name: string, ctx: Ctx): Reply {
    const c = this.get(name);
    const b = ctx.body;
    if (b['order_by'] !== undefined && b['order_by'] !== null) throw unsupported('order_by');
    const limit = b['limit'] === undefined || b['limit'] === null ? 10 : uint(b['limit'], 'limit', 1);
    const filter = wireFilter(b['filter']);
    const offset = b['offset'] === undefined || b['offset'] === null ? undefined : pointId(b['offset']);
    const shards = this.readShards(c, b['shard_key']);
    this.strict(c, ctx, { limit, ...(filter !== undefined ? { readFilter: filter } : {}) });
    const sel = payloadSelector(b['with_payload'], true);
    const withVector = withVectorFlag(b['with_vector']);
    const page = c.scroll(filter, limit, offset, shards);
    return ok({ points: page.points.map((p) => this.wireRecord(p, sel, withVector)), next_page_offset: page.next });
  }

  private count(name: string, ctx: Ctx): Reply {
    const c = this.get(name);
    const filter = wireFilter(ctx.body['filter']);
    optBool(ctx.body['exact'], 'exact');
    const shards = this.readShards(c, ctx.body['shard_key']);
    this.strict(c, ctx, filter !== undefined ? { readFilter: filter } : {});
    return ok({ count: c.matching(filter, shards).length });
  }

  /**
   * Applies an update to its points: listed ids or the points a filter matches. With
   * `requireExisting` (payload updates by id), ids go in chunks of 32 and a chunk holding a
   * missing id fails with 404 after its existing points were updated, as Qdrant does
   * (lib/shard/src/update/payload.rs: apply_points_with_conditional_move, then
   * check_unprocessed_points): a failed request may have changed some points.
   */
  private apply(c: StandinCollection, ctx: Ctx, shards: ShardKey[] | undefined, requireExisting: boolean, update: (keys: string[]) => void): void {
    const b = ctx.body;
    const inShards = (k: string) => {
      const p = c.points.get(k);
      return p !== undefined && (shards === undefined || (p.shardKey !== undefined && shards.includes(p.shardKey)));
    };
    if (Array.isArray(b['points'])) {
      const ids = b['points'].map(pointId);
      if (!requireExisting) return update(ids.map(idKey).filter(inShards));
      for (let i = 0; i < ids.length; i += 32) {
        const chunk = ids.slice(i, i + 32);
        update(chunk.map(idKey).filter(inShards));
        const missing = chunk.find((id) => !inShards(idKey(id)));
        if (missing !== undefined) throw notFound(`No point with id ${missing} found`);
      }
      return;
    }
    const filter: Filter | undefined = wireFilter(b['filter']);
    if (filter === undefined) throw badRequest('expected { points: [...] } or { filter: {...} }');
    this.strict(c, ctx, { writeFilter: filter });
    update(c.matching(filter, shards).map((p) => idKey(p.id)));
  }

  private deletePoints(name: string, ctx: Ctx): Reply {
    const c = this.get(name);
    const shards = this.writeShards(c, ctx.body['shard_key']);
    this.apply(c, ctx, shards, false, (keys) => c.delete(keys));
    return this.updated(ctx);
  }

  private setPayload(name: string, ctx: Ctx, overwrite: boolean): Reply {
    const c = this.get(name);
    const b = ctx.body;
    const payload = b['payload'];
    if (!isObject(payload)) throw badRequest('payload: expected an object');
    if (b['key'] !== undefined && b['key'] !== null) throw unsupported('setting payload under a nested key');
    const shards = this.writeShards(c, b['shard_key']);
    this.apply(c, ctx, shards, true, (keys) => c.setPayload(keys, payload as Payload, overwrite));
    return this.updated(ctx);
  }

  private deletePayload(name: string, ctx: Ctx): Reply {
    const c = this.get(name);
    const keys = ctx.body['keys'];
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw badRequest('keys: expected a list of payload keys');
    const top = keys.map((k) => topLevelKey(k, 'keys'));
    const shards = this.writeShards(c, ctx.body['shard_key']);
    this.apply(c, ctx, shards, true, (keys) => c.deletePayloadKeys(keys, top));
    return this.updated(ctx);
  }

  private clearPayload(name: string, ctx: Ctx): Reply {
    const c = this.get(name);
    const shards = this.writeShards(c, ctx.body['shard_key']);
    this.apply(c, ctx, shards, true, (keys) => c.setPayload(keys, {}, true));
    return this.updated(ctx);
  }
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function errorReply(e: unknown): Reply {
  if (e instanceof HttpError) return { status: e.status, body: e.message };
  if (e instanceof TypeError || e instanceof RangeError) return { status: 400, body: `Format error in JSON body: ${e.message}` };
  return { status: 500, body: `Service internal error: ${e instanceof Error ? e.message : String(e)}` };
}

/** HnswConfigDiff (lib/collection/src/operations/config_diff.rs): m >= 0, ef_construct >= 4. */
function checkHnsw(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw badRequest('hnsw_config: expected an object');
  const out: Record<string, unknown> = {};
  if (v['m'] !== undefined && v['m'] !== null) out['m'] = uint(v['m'], 'hnsw_config.m', 0);
  if (v['ef_construct'] !== undefined && v['ef_construct'] !== null) out['ef_construct'] = uint(v['ef_construct'], 'hnsw_config.ef_construct', 4);
  if (v['full_scan_threshold'] !== undefined && v['full_scan_threshold'] !== null) {
    out['full_scan_threshold'] = uint(v['full_scan_threshold'], 'hnsw_config.full_scan_threshold', 10);
  }
  if (v['payload_m'] !== undefined && v['payload_m'] !== null) out['payload_m'] = uint(v['payload_m'], 'hnsw_config.payload_m', 0);
  if (v['on_disk'] !== undefined) out['on_disk'] = optBool(v['on_disk'], 'hnsw_config.on_disk');
  return out;
}

/** QuantizationConfig: exactly one of scalar, product, binary. */
function checkQuantization(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw badRequest('quantization_config: expected an object');
  const kinds = Object.keys(v).filter((k) => ['scalar', 'product', 'binary'].includes(k));
  if (kinds.length !== 1) throw badRequest('data did not match any variant of untagged enum QuantizationConfig');
  const s = v['scalar'];
  if (isObject(s)) {
    if (s['type'] !== 'int8') throw badRequest(`unknown variant \`${String(s['type'])}\`, expected \`int8\``);
    const q = s['quantile'];
    if (q !== undefined && q !== null && (typeof q !== 'number' || q < 0.5 || q > 1)) {
      throw invalid('JSON body', 'quantization_config.scalar.quantile', `value ${String(q)} invalid, must be from 0.5 to 1.0`);
    }
  }
  return structuredClone(v);
}

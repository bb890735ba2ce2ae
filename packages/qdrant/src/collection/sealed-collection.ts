/**
 * SealedCollection: encrypt-then-upsert and search over a Backend (Qdrant or the embedded local
 * store), returning only what the caller's user key may open.
 *
 * Data flows one way: plaintext -> core (seal) -> backend (store) -> core (open) -> plaintext.
 * The backend never sees a plaintext vector, payload or policy; its filters are only a
 * performance pre-filter. The cryptographic check in `open` is the access boundary, and nothing
 * read from the store steers the client unless it is authenticated: the collection's scheme is
 * signed by the writer that created it and verified on every open (trust.ts), records are
 * signed by their writer and verified before anything of them is returned (search.ts).
 */
import {
  BETA_FLOOR,
  checkBetaFloor,
  Conflict,
  createSealer,
  decodeStoredPoint,
  DEFAULT_PRESET,
  encodeStoredPayload,
  IngestIncomplete,
  InvalidKey,
  isPresetName,
  Malformed,
  NotFound,
  PRESETS,
  schemeToJSON,
  SchemeMismatch,
  signScheme,
  storedDimensionOf,
  betaForPreset,
  blindIndexToken,
  userPrefilterTokens,
  type Metric,
  type OpenedRecord,
  type PresetName,
  type Scheme,
  type SchemeFields,
  type SealInput,
  type SealedRecord,
  type UserKey,
  type VectorKeyset,
  type WriterKey,
} from '@sealvec/core';
import type { Backend, Condition, Filter, IndexFields, Point, SearchParams, UpsertFailure } from '../backend/types.js';
import type { Logger } from '../log.js';
import { buildCiphers, type KeyCiphers } from './ciphers.js';
import { FIELDS, tenantCondition } from './filters.js';
import { rewrapCollection, rotateCollectionKey, type RecordFailure, type RewrapReport, type RotateOptions, type RotateReport, type MaintenanceOptions } from './maintenance.js';
import { diagnoseAccess, type AccessDiagnosis } from './diagnose.js';
import { pointIdOf } from './point-id.js';
import { runSearch, type SearchResult } from './search.js';
import { authorityIdOf, trustedScheme, type AuthorityTrust, type TrustOptions } from './trust.js';

export type { SearchHit, SearchResult, SkippedRecord } from './search.js';
export type { RecordFailure, RewrapReport, RotateReport, RotateOptions, MaintenanceOptions } from './maintenance.js';
export type { AuthorityTrust } from './trust.js';

export interface OpenCollectionOptions extends TrustOptions {
  /** Collection name in the backend. */
  name: string;
  /** Vector keys: the primary encrypts new records; every live key is searched. */
  keyset: VectorKeyset;
  /** Tenant scope of this handle. Default ''. */
  tenant?: string;
  /**
   * The authority whose writers may have created the collection: its public key, or any of its
   * user or writer keys (`key.authorityKey`). The collection's scheme must carry a valid
   * signature from a writer this authority certified.
   */
  authority: AuthorityTrust;
  /** Receives warnings (skipped records) and progress; never secrets. */
  logger?: Logger;
}

export interface CreateCollectionOptions {
  name: string;
  keyset: VectorKeyset;
  tenant?: string;
  dimension: number;
  metric: Metric;
  /** Named preset for beta (default 'balanced'); ignored when `beta` is given. */
  preset?: PresetName;
  /** Absolute beta; overrides the preset. */
  beta?: number;
  /**
   * The data's typical vector norm (e.g. the median norm). Required for the euclid metric: beta
   * and the cipher's keyed offset are relative to it.
   */
  scale?: number;
  /** Dot metric: the largest record norm. */
  maxNorm?: number;
  /** The writer key that creates (and signs the scheme of) the collection; its authority owns it. */
  writer: WriterKey;
  /** Store pre-filter tokens so selective users still get k results. Default true. */
  prefilter?: boolean;
  /** Payload fields that get blind-index tokens for equality filters. Default none. */
  blindIndexFields?: string[];
  /** Seal the exact float32 vector with each record (default true; needed for the lean exact re-rank). */
  exactVector?: boolean;
  /** Client-side floor on relative beta (default BETA_FLOOR); lower it explicitly to create a weaker collection. */
  betaFloor?: number;
  logger?: Logger;
}

export interface UpsertRecordsOptions {
  writer: WriterKey;
  batchSize?: number;
  concurrency?: number;
  onProgress?: (stored: number, total: number) => void;
}

export interface UpsertReport {
  /** Caller ids confirmed stored. */
  stored: string[];
  /** Caller ids that did not land, with why. Re-running the upsert with them is safe. */
  failed: RecordFailure[];
}

export interface SearchOptions {
  userKey: UserKey;
  /** Results wanted. Default 10. */
  k?: number;
  /** Candidates fetched per live key = k * oversample. Default: the preset's. */
  oversample?: number;
  /** Candidates fetched per live key, explicitly (overrides oversample). */
  candidates?: number;
  /** Re-rank candidates by their exact decrypted vectors. Default true. */
  rerank?: boolean;
  /**
   * Ask the database only for records sharing a tuple token with the user. Default: the
   * collection's setting (for a v1 collection: off unless set to true here).
   */
  prefilter?: boolean;
  /** Equality filters on blind-indexed payload fields. */
  where?: Record<string, string | number | boolean>;
  /** Also return each hit's exact vector. Default false. */
  withVector?: boolean;
  /**
   * How the database searches (QdrantBackend: HNSW beam width, exact scan, quantization
   * rescoring), over the backend's configured defaults. QdrantBackend never sends an hnswEf
   * below the candidate count. LocalBackend always searches exactly and ignores them.
   */
  searchParams?: SearchParams;
}

const DEFAULT_K = 10;

/** Every payload field a Sealvec filter uses, indexed (Qdrant in strict mode refuses the rest). */
function indexFieldsOf(blindIndexFields: readonly string[]): IndexFields {
  return {
    tenantField: FIELDS.tenant,
    keywordFields: [FIELDS.kid, FIELDS.prefilter, ...blindIndexFields.map(FIELDS.blindIndex)],
    integerFields: [FIELDS.epoch], // rewrap filters on the epoch
  };
}
const PAGE = 256;

export class SealedCollection {
  readonly name: string;
  readonly tenant: string;
  readonly #backend: Backend;
  readonly #logger: Logger | undefined;
  #scheme: Scheme;
  #keyset: VectorKeyset;
  #ciphers: Map<string, KeyCiphers>;

  private constructor(backend: Backend, name: string, tenant: string, scheme: Scheme, keyset: VectorKeyset, logger: Logger | undefined) {
    this.#backend = backend;
    this.name = name;
    this.tenant = tenant;
    this.#scheme = scheme;
    this.#keyset = keyset;
    this.#logger = logger;
    this.#ciphers = buildCiphers(scheme, keyset, tenant);
  }

  /** Creates the collection in the backend (Conflict if it exists), signs its scheme, returns a handle. */
  static async create(backend: Backend, options: CreateCollectionOptions): Promise<SealedCollection> {
    const o = checkOpenOptions(options);
    const { writer, metric } = options;
    if (typeof writer !== 'object' || writer === null || writer.kind !== 'writer') throw new TypeError('"writer" expected the WriterKey that creates the collection');
    if (writer.tenant !== o.tenant) throw new SchemeMismatch(`the writer key is for tenant ${JSON.stringify(writer.tenant)}, this handle for ${JSON.stringify(o.tenant)}`);
    const preset = options.beta === undefined ? (options.preset ?? DEFAULT_PRESET) : (options.preset ?? null);
    if (preset !== null && !isPresetName(preset)) throw new TypeError(`"preset" expected 'fast' | 'balanced' | 'private', got ${String(preset)}`);
    if (metric === 'euclid' && options.scale === undefined) {
      throw new TypeError('"scale" is required for the euclid metric: the data\'s typical norm, which beta and the keyed offset are relative to');
    }
    const maxNorm = metric === 'dot' ? (options.maxNorm ?? null) : null;
    const beta = options.beta ?? betaForPreset(preset as PresetName, metric, metric === 'dot' ? (maxNorm ?? undefined) : options.scale);
    const fields: SchemeFields = {
      collection: o.name,
      dimension: options.dimension,
      metric,
      beta,
      preset,
      scale: metric === 'euclid' ? (options.scale as number) : null,
      maxNorm,
      authority: writer.authorityId,
      prefilter: options.prefilter ?? true,
      blindIndexFields: [...(options.blindIndexFields ?? [])],
      exactVector: options.exactVector ?? true,
      legacyKids: [],
    };
    checkBetaFloor(fields, options.betaFloor ?? BETA_FLOOR);
    const scheme = signScheme(fields, writer);
    // Validates dimension, metric, beta and maxNorm (by building the ciphers) before anything is created.
    const handle = new SealedCollection(backend, o.name, o.tenant, scheme, o.keyset, options.logger);
    await backend.createCollection({
      name: o.name,
      dimension: storedDimensionOf(metric, fields.dimension),
      distance: 'Euclid',
      tenantField: FIELDS.tenant,
      ...indexFieldsOf(fields.blindIndexFields),
      metadata: schemeToJSON(scheme),
    });
    return handle;
  }

  /**
   * Adds the payload indexes this collection filters on that the database lacks (collections
   * made by older versions had no epoch index, which Qdrant in strict mode requires for rewrap).
   * Returns the fields indexed now; [] when nothing was missing or the backend has no indexes.
   */
  async ensureIndexes(): Promise<string[]> {
    return (await this.#backend.ensureIndexes?.(this.name, indexFieldsOf(this.#scheme.blindIndexFields))) ?? [];
  }

  /** Opens an existing collection: verifies its scheme, checks the floor and that the keyset can read it. */
  static async open(backend: Backend, options: OpenCollectionOptions): Promise<SealedCollection> {
    const o = checkOpenOptions(options);
    authorityIdOf(options.authority);
    const desc = await backend.describe(o.name);
    if (desc === null) throw new NotFound(`collection "${o.name}" does not exist`);
    const scheme = trustedScheme(desc, options.authority, options);
    const storedDimension = storedDimensionOf(scheme.metric, scheme.dimension);
    if (desc.dimension !== storedDimension || desc.distance !== 'Euclid') {
      throw new SchemeMismatch(`collection "${o.name}" stores ${desc.distance} vectors of dimension ${desc.dimension}, but its scheme says Euclid/${storedDimension}`);
    }
    const col = new SealedCollection(backend, o.name, o.tenant, scheme, o.keyset, options.logger);
    await col.#checkKeys();
    return col;
  }

  /** Creates the collection, or opens it when it exists (with the same dimension and metric). */
  static async openOrCreate(backend: Backend, options: CreateCollectionOptions & Partial<TrustOptions>): Promise<SealedCollection> {
    if ((await backend.describe(options.name)) === null) {
      try {
        return await SealedCollection.create(backend, options);
      } catch (e) {
        if (!(e instanceof Conflict)) throw e;
      }
    }
    const col = await SealedCollection.open(backend, { ...options, authority: options.writer });
    if (col.scheme.dimension !== options.dimension || col.scheme.metric !== options.metric) {
      throw new SchemeMismatch(
        `collection "${options.name}" holds ${col.scheme.metric} vectors of dimension ${col.scheme.dimension}, not ${options.metric}/${options.dimension}`,
      );
    }
    return col;
  }

  /** The collection's verified scheme (or, for an explicitly accepted v1 collection, its unauthenticated one). */
  get scheme(): Scheme {
    return this.#scheme;
  }

  get keyset(): VectorKeyset {
    return this.#keyset;
  }

  get metric(): Metric {
    return this.#scheme.metric;
  }

  get dimension(): number {
    return this.#scheme.dimension;
  }

  /** Default oversampling for this collection's preset (4 when beta was given directly). */
  get defaultOversample(): number {
    const p = this.#scheme.preset;
    return p !== null && isPresetName(p) ? PRESETS[p].oversample : 4;
  }

  /** Uses a new keyset from now on (e.g. after `add` or `promote`); every key the data uses must stay in it. */
  useKeyset(keyset: VectorKeyset): void {
    this.#ciphers = buildCiphers(this.#scheme, keyset, this.tenant);
    this.#keyset = keyset;
  }

  async #checkKeys(): Promise<void> {
    const page = await this.#backend.scroll(this.name, { filter: { must: [tenantCondition(this.tenant)] }, limit: 1, withPayload: [FIELDS.kid] });
    const sample = page.points[0];
    if (sample === undefined) return;
    const kid = sample.payload[FIELDS.kid];
    if (typeof kid === 'string' && !this.#ciphers.has(kid)) {
      throw new SchemeMismatch(
        `collection "${this.name}" holds records encrypted with vector key ${kid}, which is not in the given keyset (${[...this.#ciphers.keys()].join(', ')})`,
      );
    }
  }

  #checkAuthority(key: { authorityId: string; tenant: string }, what: string): void {
    if (key.authorityId !== this.#scheme.authority) {
      throw new SchemeMismatch(`the ${what} belongs to authority ${key.authorityId}, but collection "${this.name}" is sealed for authority ${this.#scheme.authority}`);
    }
    if (key.tenant !== this.tenant) {
      throw new SchemeMismatch(`the ${what} is for tenant ${JSON.stringify(key.tenant)}, this handle is for tenant ${JSON.stringify(this.tenant)}`);
    }
  }

  #checkUser(userKey: UserKey): void {
    if (userKey?.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
    this.#checkAuthority(userKey, 'user key');
    if (this.#scheme.version === 2 && userKey.writerPublicKey === null) {
      throw new InvalidKey('this user key predates writer signatures (key format v1) and cannot check records; issue it again');
    }
  }

  #checkWritable(): void {
    if (this.#scheme.version === 1) {
      throw new SchemeMismatch(`collection "${this.name}" is format v1 (unauthenticated scheme): migrate it with rotateKey before writing to it`);
    }
    if (this.#scheme.legacyKids.includes(this.#keyset.primary.kid)) {
      throw new SchemeMismatch(`the primary key ${this.#keyset.primary.kid} holds format v1 records only; promote a new key to write`);
    }
  }

  /**
   * Seals and stores records. Every record is sealed before anything is written, so a bad record
   * (wrong dimension, NaN, bad policy, duplicate id) throws and writes nothing. Storage failures
   * are per record: `failed` lists exactly the ids that did not land; re-running is safe.
   */
  async upsert(records: readonly SealInput[], options: UpsertRecordsOptions): Promise<UpsertReport> {
    if (!Array.isArray(records)) throw new TypeError('"records" expected array');
    if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected object with a writer key');
    this.#checkAuthority(options.writer, 'writer key');
    this.#checkWritable();
    const seen = new Map<string, number>();
    records.forEach((r, i) => {
      const id = (r as { id?: unknown })?.id;
      if (typeof id === 'string') {
        const prev = seen.get(id);
        if (prev !== undefined) throw new Malformed(`duplicate record id ${JSON.stringify(id)} at positions ${prev} and ${i}`);
        seen.set(id, i);
      }
    });
    if (records.length === 0) return { stored: [], failed: [] };
    const sealed = this.#sealer(options.writer).sealBatch(records);
    return this.storeSealed(sealed, options);
  }

  /**
   * `upsert`, but a storage failure throws IngestIncomplete whose `failedIds` are exactly the
   * records that did not land (re-adding them is safe). Returns the ids stored, in input order.
   * For callers that treat a partial write as an error (the framework integrations).
   */
  async upsertAll(records: readonly SealInput[], options: UpsertRecordsOptions): Promise<string[]> {
    const report = await this.upsert(records, options);
    if (report.failed.length > 0) {
      const ids = report.failed.map((f) => f.id);
      const shown = ids.slice(0, 10).map((id) => JSON.stringify(id)).join(', ');
      throw new IngestIncomplete(
        `${ids.length} of ${records.length} records did not land in "${this.name}": ${shown}${ids.length > 10 ? ', ...' : ''} (${report.failed[0]!.error.message})`,
        ids,
        report.stored.length,
      );
    }
    return records.map((r) => r.id);
  }

  /**
   * Deletes every record of this tenant whose blind-indexed fields equal `where` (AND across
   * fields). A writer key derives any field's token, so it deletes records it may not read.
   */
  async deleteWhere(where: Readonly<Record<string, string | number | boolean>>, writer: WriterKey): Promise<void> {
    this.#checkAuthority(writer, 'writer key');
    const fields = Object.keys(where);
    if (fields.length === 0) throw new RangeError('"where" expected at least one field');
    const must: Condition[] = [tenantCondition(this.tenant)];
    for (const field of fields) {
      if (!this.#scheme.blindIndexFields.includes(field)) throw new RangeError(`"where.${field}": field is not blind-indexed in collection "${this.name}"`);
      must.push({ key: FIELDS.blindIndex(field), match: { value: blindIndexToken(writer, field, where[field]!, this.name) } });
    }
    await this.#backend.delete(this.name, { filter: { must } });
  }

  #sealer(writer: WriterKey) {
    const s = this.#scheme;
    return createSealer({
      writer,
      cipher: this.#ciphers.get(this.#keyset.primary.kid)!.cipher,
      prefilter: s.prefilter,
      blindIndex: s.blindIndexFields,
      exactVector: s.exactVector,
    });
  }

  /**
   * Stores records already sealed for this collection (e.g. by the CLI's workers), mapping them to
   * points exactly as `upsert` does. The records are not re-checked: readers verify them.
   */
  async storeSealed(
    sealed: readonly SealedRecord[],
    options: { batchSize?: number; concurrency?: number; onProgress?: (s: number, t: number) => void } = {},
  ): Promise<UpsertReport> {
    this.#checkWritable();
    const byPoint = new Map<string, string>();
    const points: Point[] = sealed.map((r) => {
      const id = pointIdOf(this.tenant, r.id);
      byPoint.set(id, r.id);
      return { id, vector: r.vector, payload: encodeStoredPayload(r) as unknown as Record<string, unknown> };
    });
    const res = await this.#backend.upsert(this.name, points, {
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    });
    return {
      stored: res.stored.map((p) => byPoint.get(p) ?? p),
      failed: res.failed.map((f: UpsertFailure) => ({ id: byPoint.get(f.id) ?? f.id, error: f.error })),
    };
  }

  /** Nearest records this user key may open, with decrypted payloads and exact scores (see search.ts). */
  async search(query: ArrayLike<number>, options: SearchOptions): Promise<SearchResult> {
    if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected object with a userKey');
    const { userKey } = options;
    this.#checkUser(userKey);
    const k = positiveInt(options.k ?? DEFAULT_K, 'k');
    const depth =
      options.candidates !== undefined ? positiveInt(options.candidates, 'candidates') : k * positiveInt(options.oversample ?? this.defaultOversample, 'oversample');
    const s = this.#scheme;
    // A v1 scheme is the store's word: its token and blind-index settings are used only when the
    // caller asks for them.
    const prefilter = s.prefilter && (s.version === 1 ? options.prefilter === true : (options.prefilter ?? true));
    const blindIndex: Record<string, string> = {};
    for (const [field, value] of Object.entries(options.where ?? {})) {
      if (!s.blindIndexFields.includes(field)) throw new RangeError(`"where.${field}": field is not blind-indexed in collection "${this.name}"`);
      blindIndex[field] = blindIndexToken(userKey, field, value, this.name);
    }
    return runSearch(
      { backend: this.#backend, name: this.name, tenant: this.tenant, scheme: s, ciphers: this.#ciphers, logger: this.#logger },
      query,
      {
        userKey,
        k,
        depth: Math.max(depth, k),
        rerank: options.rerank ?? true,
        tokens: prefilter ? userPrefilterTokens(userKey, this.name) : undefined,
        blindIndex,
        withVector: options.withVector === true,
        ...(options.searchParams !== undefined ? { params: options.searchParams } : {}),
      },
    );
  }

  #decode(p: Point): SealedRecord | null {
    try {
      const rec = decodeStoredPoint(p.payload, p.vector, { storedDimension: storedDimensionOf(this.#scheme.metric, this.#scheme.dimension) });
      // A record under another point id than its own is a copy the store made.
      return pointIdOf(this.tenant, rec.id) === p.id ? rec : null;
    } catch {
      return null;
    }
  }

  /** The records with these ids that this key may open (null where absent, denied or edited), in order. */
  async get(ids: readonly string[], userKey: UserKey): Promise<(OpenedRecord | null)[]> {
    this.#checkUser(userKey);
    const pids = ids.map((id) => pointIdOf(this.tenant, id));
    const points = await this.#backend.retrieve(this.name, pids, { withVector: true });
    const byId = new Map(points.map((p) => [p.id, p]));
    return pids.map((pid, i) => {
      const p = byId.get(pid);
      if (p === undefined) return null;
      const rec = this.#decode(p);
      if (rec === null || rec.id !== ids[i]) return null;
      return this.#ciphers.get(rec.kid)?.opener.tryOpen(rec, userKey) ?? null;
    });
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#backend.delete(this.name, { ids: ids.map((id) => pointIdOf(this.tenant, id)) });
  }

  /** Records stored for this tenant (all of them, whoever may open them). */
  async count(): Promise<number> {
    return this.#backend.count(this.name, { must: [tenantCondition(this.tenant)] });
  }

  /** Why this key opens nothing here (wrong epoch, tenant, authority, no shared tuple), from public facts only. */
  async diagnoseAccess(userKey: UserKey): Promise<AccessDiagnosis> {
    const s = this.#scheme;
    return diagnoseAccess({ backend: this.#backend, name: this.name, tenant: this.tenant, authority: s.authority, prefilter: s.prefilter, keysetKids: [...this.#ciphers.keys()] }, userKey);
  }

  /** Every record this key may open, page by page (pre-filtered by tokens when the collection has them). */
  async *export(userKey: UserKey, options: { pageSize?: number } = {}): AsyncGenerator<OpenedRecord> {
    this.#checkUser(userKey);
    const must: Filter['must'] = [tenantCondition(this.tenant)];
    if (this.#scheme.prefilter && this.#scheme.version === 2) must.push({ key: FIELDS.prefilter, match: { any: userPrefilterTokens(userKey, this.name) } });
    const seen = new Set<string>();
    let offset: string | undefined;
    for (;;) {
      const page = await this.#backend.scroll(this.name, { filter: { must }, limit: options.pageSize ?? PAGE, withVector: true, ...(offset !== undefined ? { offset } : {}) });
      for (const p of page.points) {
        const rec = this.#decode(p);
        if (rec === null || seen.has(rec.id)) continue;
        seen.add(rec.id);
        const got = this.#ciphers.get(rec.kid)?.opener.tryOpen(rec, userKey);
        if (got) yield got;
      }
      if (page.nextOffset === null) return;
      offset = page.nextOffset;
    }
  }

  /**
   * Moves every record of `from`'s epoch to `to`'s epoch by rewriting headers, pre-filter tokens
   * and signatures only (vectors and payloads are not touched). Linear (pages by offset) and
   * resumable: it selects by epoch, so a re-run continues where an interrupted one stopped.
   */
  async rewrap(from: WriterKey, to: WriterKey, options: MaintenanceOptions = {}): Promise<RewrapReport> {
    this.#checkAuthority(from, 'old writer key');
    this.#checkAuthority(to, 'new writer key');
    if (this.#scheme.version === 1) throw new SchemeMismatch(`collection "${this.name}" is format v1: migrate it with rotateKey (which re-seals every record) instead of rewrapping`);
    return rewrapCollection(this.#maintenance(), from, to, options);
  }

  /**
   * Re-encrypts every record not under `newKeyset`'s primary key with it (vectors, payloads and
   * headers are sealed afresh from what `writer` can open; v2 records must carry a valid writer
   * signature). Search covers both keys while it runs; it is resumable (it selects records by key
   * id). Retire the old key afterwards.
   *
   * On a format v1 collection this is the migration to v2: it first signs a v2 scheme (from the
   * v1 one, listing the old keys as legacy) and stores it, re-seals every record as v2, and signs
   * the scheme again without legacy keys when none remain. `options.scale` sets the data scale a
   * euclid v1 collection never recorded (default: the median norm of the first page of records).
   */
  async rotateKey(newKeyset: VectorKeyset, writer: WriterKey, options: RotateOptions = {}): Promise<RotateReport> {
    this.#checkAuthority(writer, 'writer key');
    for (const w of options.openWith ?? []) this.#checkAuthority(w, 'older writer key');
    for (const kid of this.#ciphers.keys()) {
      if (!newKeyset.has(kid)) throw new SchemeMismatch(`the new keyset must keep key ${kid} until rotation finishes`);
    }
    return rotateCollectionKey(this.#maintenance(), newKeyset, writer, options);
  }

  #maintenance() {
    return {
      backend: this.#backend,
      name: this.name,
      tenant: this.tenant,
      logger: this.#logger,
      scheme: () => this.#scheme,
      ciphers: () => this.#ciphers,
      keyset: () => this.#keyset,
      setScheme: (s: Scheme) => {
        this.#scheme = s;
        this.#ciphers = buildCiphers(s, this.#keyset, this.tenant);
      },
      useKeyset: (k: VectorKeyset) => this.useKeyset(k),
      sealer: (w: WriterKey) => this.#sealer(w),
      store: (records: SealedRecord[]) => this.storeSealed(records),
    };
  }
}

function checkOpenOptions(o: { name?: unknown; keyset?: unknown; tenant?: unknown }): { name: string; tenant: string; keyset: VectorKeyset } {
  if (typeof o !== 'object' || o === null) throw new TypeError('"options" expected object');
  if (typeof o.name !== 'string' || o.name.length === 0) throw new TypeError('"name" expected non-empty string');
  const ks = o.keyset as VectorKeyset | undefined;
  if (typeof ks !== 'object' || ks === null || typeof ks.get !== 'function') throw new TypeError('"keyset" expected a VectorKeyset');
  const tenant = o.tenant ?? '';
  if (typeof tenant !== 'string') throw new TypeError('"tenant" expected string');
  return { name: o.name, tenant, keyset: ks };
}

function positiveInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TypeError(`"${name}" expected integer, got ${String(v)}`);
  if (v < 1) throw new RangeError(`"${name}" expected integer >= 1, got ${v}`);
  return v;
}

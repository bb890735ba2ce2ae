/**
 * SealedCollection: encrypt-then-upsert and search over a Backend (Qdrant or the embedded local
 * store), returning only what the caller's user key may open.
 *
 * Data flows one way: plaintext -> core (seal) -> backend (store) -> core (open) -> plaintext.
 * The backend never sees a plaintext vector, payload or policy; its filters are only a
 * performance pre-filter. The cryptographic check in `open` is the access boundary.
 */
import {
  Conflict,
  DEFAULT_PRESET,
  Malformed,
  NotFound,
  PRESETS,
  SchemeMismatch,
  betaForPreset,
  blindIndexToken,
  createOpener,
  createRewrapper,
  createSealer,
  createVectorCipher,
  decodeStoredPoint,
  encodeStoredPayload,
  isPresetName,
  storedDimensionOf,
  userPrefilterTokens,
  type JsonValue,
  type Metric,
  type OpenedRecord,
  type Opener,
  type PresetName,
  type SealInput,
  type SealedRecord,
  type UserKey,
  type VectorCipher,
  type VectorKeyset,
  type WriterKey,
} from '@sealvec/core';
import type { Backend, Filter, Point, UpsertFailure } from '../backend/types.js';
import { diagnoseAccess, type AccessDiagnosis } from './diagnose.js';
import { FIELDS, candidateFilter, epochFilter, notKidFilter, tenantCondition } from './filters.js';
import { parseMetadata, SCHEME_VERSION, toBackendMetadata, type SchemeMetadata } from './metadata.js';
import { pointIdOf } from './point-id.js';
import { approximateScore, betterFirst, exactScore, prepareQuery } from './scoring.js';

export interface OpenCollectionOptions {
  /** Collection name in the backend. */
  name: string;
  /** Vector keys: the primary encrypts new records; every live key is searched. */
  keyset: VectorKeyset;
  /** Tenant scope of this handle. Default ''. */
  tenant?: string;
}

export interface CreateCollectionOptions extends OpenCollectionOptions {
  dimension: number;
  metric: Metric;
  /** Named preset for beta (default 'balanced'); ignored when `beta` is given. */
  preset?: PresetName;
  /** Absolute beta; overrides the preset. */
  beta?: number;
  /** Typical vector norm, for presets under the euclid metric (e.g. the data's median norm). */
  scale?: number;
  /** Dot metric: the largest record norm. */
  maxNorm?: number;
  /** Id of the authority whose keys will seal and open records (e.g. `writer.authorityId`). */
  authority: string;
  /** Store pre-filter tokens so selective users still get k results. Default true. */
  prefilter?: boolean;
  /** Payload fields that get blind-index tokens for equality filters. Default none. */
  blindIndexFields?: string[];
  /** Seal the exact float32 vector with each record (default true; needed for exact re-rank). */
  exactVector?: boolean;
}

export interface UpsertRecordsOptions {
  writer: WriterKey;
  batchSize?: number;
  concurrency?: number;
  onProgress?: (stored: number, total: number) => void;
}

export interface RecordFailure {
  /** The caller's record id. */
  id: string;
  error: Error;
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
  /** Candidates fetched per key = k * oversample. Default: the preset's (4 for balanced). */
  oversample?: number;
  /** Re-rank candidates by their exact decrypted vectors. Default true. */
  rerank?: boolean;
  /** Ask the database only for records sharing a tuple token with the user. Default: the collection's setting. */
  prefilter?: boolean;
  /** Equality filters on blind-indexed payload fields. */
  where?: Record<string, string | number | boolean>;
  /** Post-filter mode: stop widening the candidate set beyond this many per key. Default 4096. */
  maxCandidates?: number;
  /** Also return each hit's exact vector. Default false. */
  withVector?: boolean;
}

export interface SearchHit {
  id: string;
  /** cosine similarity, Euclidean distance or inner product (see scoring.ts). */
  score: number;
  payload: JsonValue;
  vector?: Float32Array;
}

export interface SkippedRecord {
  /** Point id in the backend, and the caller id when it could be read. */
  pointId: string;
  id?: string;
  code: string;
  message: string;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Stored points that could not be decoded (edited in the database); the rest still returned. */
  skipped: SkippedRecord[];
  /** Candidates fetched from the database, and how many of them this key opened. */
  candidates: number;
  opened: number;
}

export interface RewrapReport {
  rewrapped: number;
  failed: RecordFailure[];
}

export interface RotateReport {
  reencrypted: number;
  failed: RecordFailure[];
}

const DEFAULT_K = 10;
const DEFAULT_MAX_CANDIDATES = 4096;
const PAGE = 256;

export class SealedCollection {
  readonly name: string;
  readonly tenant: string;
  readonly scheme: SchemeMetadata;
  readonly #backend: Backend;
  #keyset: VectorKeyset;
  #ciphers: Map<string, VectorCipher>;
  #openers: Map<string, Opener>;

  private constructor(backend: Backend, name: string, tenant: string, scheme: SchemeMetadata, keyset: VectorKeyset) {
    this.#backend = backend;
    this.name = name;
    this.tenant = tenant;
    this.scheme = scheme;
    this.#keyset = keyset;
    this.#ciphers = new Map();
    this.#openers = new Map();
    this.#buildCiphers();
  }

  /** Creates the collection in the backend (Conflict if it exists) and returns a handle. */
  static async create(backend: Backend, options: CreateCollectionOptions): Promise<SealedCollection> {
    const o = checkOpenOptions(options);
    const metric = options.metric;
    const preset = options.beta === undefined ? (options.preset ?? DEFAULT_PRESET) : null;
    if (preset !== null && !isPresetName(preset)) throw new TypeError(`"preset" expected 'fast' | 'balanced' | 'private', got ${String(preset)}`);
    const beta = options.beta ?? betaForPreset(preset as PresetName, metric, metric === 'dot' ? (options.scale ?? options.maxNorm) : options.scale);
    if (typeof options.authority !== 'string' || options.authority.length === 0) throw new TypeError('"authority" expected the authority id (e.g. writer.authorityId)');
    const scheme: SchemeMetadata = {
      sealvec: SCHEME_VERSION,
      dimension: options.dimension,
      storedDimension: storedDimensionOf(metric, options.dimension),
      metric,
      beta,
      preset,
      maxNorm: metric === 'dot' ? (options.maxNorm ?? null) : null,
      authority: options.authority,
      prefilter: options.prefilter ?? true,
      blindIndexFields: [...(options.blindIndexFields ?? [])],
      exactVector: options.exactVector ?? true,
    };
    // Validates dimension, metric, beta and maxNorm before anything is created.
    createVectorCipher(o.keyset.primary, { dimension: scheme.dimension, metric, beta, tenant: o.tenant, ...(scheme.maxNorm !== null ? { maxNorm: scheme.maxNorm } : {}) });
    await backend.createCollection({
      name: o.name,
      dimension: scheme.storedDimension,
      distance: 'Euclid',
      tenantField: FIELDS.tenant,
      keywordFields: [FIELDS.kid, FIELDS.prefilter, ...scheme.blindIndexFields.map(FIELDS.blindIndex)],
      metadata: toBackendMetadata(scheme),
    });
    return new SealedCollection(backend, o.name, o.tenant, scheme, o.keyset);
  }

  /** Opens an existing collection; checks its scheme and that the keyset can read it. */
  static async open(backend: Backend, options: OpenCollectionOptions): Promise<SealedCollection> {
    const o = checkOpenOptions(options);
    const desc = await backend.describe(o.name);
    if (desc === null) throw new NotFound(`collection "${o.name}" does not exist`);
    const scheme = parseMetadata(o.name, desc.metadata);
    if (desc.dimension !== scheme.storedDimension || desc.distance !== 'Euclid') {
      throw new SchemeMismatch(`collection "${o.name}" stores ${desc.distance} vectors of dimension ${desc.dimension}, but its scheme says Euclid/${scheme.storedDimension}`);
    }
    const col = new SealedCollection(backend, o.name, o.tenant, scheme, o.keyset);
    await col.#checkKeys();
    return col;
  }

  /** Creates the collection, or opens it when it exists with the same scheme. */
  static async openOrCreate(backend: Backend, options: CreateCollectionOptions): Promise<SealedCollection> {
    if ((await backend.describe(options.name)) === null) {
      try {
        return await SealedCollection.create(backend, options);
      } catch (e) {
        if (!(e instanceof Conflict)) throw e;
      }
    }
    const col = await SealedCollection.open(backend, options);
    if (col.scheme.dimension !== options.dimension || col.scheme.metric !== options.metric) {
      throw new SchemeMismatch(
        `collection "${options.name}" holds ${col.scheme.metric} vectors of dimension ${col.scheme.dimension}, not ${options.metric}/${options.dimension}`,
      );
    }
    return col;
  }

  get keyset(): VectorKeyset {
    return this.#keyset;
  }

  get metric(): Metric {
    return this.scheme.metric;
  }

  get dimension(): number {
    return this.scheme.dimension;
  }

  /** Default oversampling for this collection's preset (4 when beta was given directly). */
  get defaultOversample(): number {
    const p = this.scheme.preset;
    return p !== null && isPresetName(p) ? PRESETS[p].oversample : 4;
  }

  /** Uses a new keyset from now on (e.g. after `add` or `promote`); every key the data uses must stay in it. */
  useKeyset(keyset: VectorKeyset): void {
    this.#keyset = keyset;
    this.#buildCiphers();
  }

  #buildCiphers(): void {
    this.#ciphers = new Map();
    this.#openers = new Map();
    const s = this.scheme;
    for (const key of this.#keyset.keys) {
      const cipher = createVectorCipher(key, {
        dimension: s.dimension,
        metric: s.metric,
        beta: s.beta,
        tenant: this.tenant,
        ...(s.maxNorm !== null ? { maxNorm: s.maxNorm } : {}),
      });
      this.#ciphers.set(key.kid, cipher);
      this.#openers.set(key.kid, createOpener({ cipher, collection: this.name }));
    }
  }

  get #primary(): VectorCipher {
    return this.#ciphers.get(this.#keyset.primary.kid)!;
  }

  async #checkKeys(): Promise<void> {
    const page = await this.#backend.scroll(this.name, { filter: { must: [tenantCondition(this.tenant)] }, limit: 1 });
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
    if (key.authorityId !== this.scheme.authority) {
      throw new SchemeMismatch(`the ${what} belongs to authority ${key.authorityId}, but collection "${this.name}" is sealed for authority ${this.scheme.authority}`);
    }
    if (key.tenant !== this.tenant) {
      throw new SchemeMismatch(`the ${what} is for tenant ${JSON.stringify(key.tenant)}, this handle is for tenant ${JSON.stringify(this.tenant)}`);
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
    const sealer = createSealer({
      writer: options.writer,
      cipher: this.#primary,
      collection: this.name,
      prefilter: this.scheme.prefilter,
      blindIndex: this.scheme.blindIndexFields,
      exactVector: this.scheme.exactVector,
    });
    const sealed = sealer.sealBatch(records);
    return this.#store(sealed, options);
  }

  async #store(sealed: readonly SealedRecord[], options: { batchSize?: number; concurrency?: number; onProgress?: (s: number, t: number) => void }): Promise<UpsertReport> {
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

  /** Nearest records this user key may open, with decrypted payloads and exact scores. */
  async search(query: ArrayLike<number>, options: SearchOptions): Promise<SearchResult> {
    if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected object with a userKey');
    const { userKey } = options;
    if (userKey?.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
    this.#checkAuthority(userKey, 'user key');
    const k = positiveInt(options.k ?? DEFAULT_K, 'k');
    const oversample = positiveInt(options.oversample ?? this.defaultOversample, 'oversample');
    const rerank = options.rerank ?? true;
    const prefilter = (options.prefilter ?? this.scheme.prefilter) && this.scheme.prefilter;
    const maxCandidates = positiveInt(options.maxCandidates ?? DEFAULT_MAX_CANDIDATES, 'maxCandidates');
    const tokens = prefilter ? userPrefilterTokens(userKey, this.name) : undefined;
    const blind: Record<string, string> = {};
    for (const [field, value] of Object.entries(options.where ?? {})) {
      if (!this.scheme.blindIndexFields.includes(field)) throw new RangeError(`"where.${field}": field is not blind-indexed in collection "${this.name}"`);
      blind[field] = blindIndexToken(userKey, field, value, this.name);
    }
    const metric = this.scheme.metric;
    // Validates the query (dimension, finite values, non-zero for cosine) once, up front.
    const encrypted = [...this.#ciphers].map(([kid, cipher]) => ({ kid, cipher, vector: cipher.encryptQuery(query) }));
    const q = prepareQuery(query, metric);
    let qq = 0;
    for (const v of q) qq += v * v;

    const hits: SearchHit[] = [];
    const skipped: SkippedRecord[] = [];
    let candidates = 0;
    let opened = 0;
    for (const { kid, cipher, vector } of encrypted) {
      const filter = candidateFilter({ tenant: this.tenant, kid, ...(tokens ? { prefilterTokens: tokens } : {}), blindIndex: blind });
      let limit = k * oversample;
      let openedForKey = 0;
      const seen = new Set<string>();
      for (;;) {
        const points = await this.#backend.query(this.name, { vector, limit, filter, withVector: true });
        let newlyOpened = 0;
        for (const p of points) {
          if (seen.has(p.id)) continue;
          seen.add(p.id);
          candidates++;
          const rec = this.#decode(p.id, p.payload, p.vector, skipped);
          if (rec === null) continue;
          const got = this.#openers.get(kid)!.tryOpen(rec, userKey, { vector: rerank || options.withVector === true });
          if (got === null) continue;
          opened++;
          newlyOpened++;
          const score = rerank && got.vector !== undefined ? exactScore(metric, q, got.vector) : approximateScore(metric, p.score, cipher.scale, qq, this.scheme.maxNorm);
          hits.push({ id: got.id, score, payload: got.payload, ...(options.withVector && got.vector ? { vector: got.vector } : {}) });
        }
        // Post-filter mode: most candidates may be unopenable for a selective user. Widen (up to
        // a cap) until as many candidates opened as pre-filter mode would re-rank (k * oversample),
        // so re-rank sees the same depth of the user's own records.
        openedForKey += newlyOpened;
        const exhausted = points.length < limit;
        const enough = openedForKey >= k * oversample;
        if (enough || exhausted || prefilter || limit >= maxCandidates) break;
        limit = Math.min(limit * 4, maxCandidates);
      }
    }
    hits.sort((a, b) => betterFirst(metric)(a.score, b.score));
    return { hits: hits.slice(0, k), skipped, candidates, opened };
  }

  #decode(pointId: string, payload: Record<string, unknown>, vector: Float32Array | undefined, skipped: SkippedRecord[]): SealedRecord | null {
    try {
      return decodeStoredPoint(payload, vector, { storedDimension: this.scheme.storedDimension });
    } catch (e) {
      const id = typeof payload?.id === 'string' ? payload.id : undefined;
      skipped.push({ pointId, ...(id !== undefined ? { id } : {}), code: (e as { code?: string }).code ?? 'ERR_MALFORMED', message: (e as Error).message });
      return null;
    }
  }

  /** The records with these ids that this key may open (null where absent or denied), in order. */
  async get(ids: readonly string[], userKey: UserKey): Promise<(OpenedRecord | null)[]> {
    if (userKey?.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
    this.#checkAuthority(userKey, 'user key');
    const pids = ids.map((id) => pointIdOf(this.tenant, id));
    const points = await this.#backend.retrieve(this.name, pids, { withVector: true });
    const byId = new Map(points.map((p) => [p.id, p]));
    return pids.map((pid, i) => {
      const p = byId.get(pid);
      if (p === undefined) return null;
      const rec = this.#decode(pid, p.payload, p.vector, []);
      if (rec === null || rec.id !== ids[i]) return null;
      return this.#openers.get(rec.kid)?.tryOpen(rec, userKey) ?? null;
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
    const s = this.scheme;
    return diagnoseAccess({ backend: this.#backend, name: this.name, tenant: this.tenant, authority: s.authority, prefilter: s.prefilter, keysetKids: [...this.#ciphers.keys()] }, userKey);
  }

  /** Every record this key may open, page by page (pre-filtered by tokens when the collection has them). */
  async *export(userKey: UserKey, options: { pageSize?: number } = {}): AsyncGenerator<OpenedRecord> {
    if (userKey?.kind !== 'user') throw new TypeError('"userKey" expected a UserKey');
    this.#checkAuthority(userKey, 'user key');
    const must: Filter['must'] = [tenantCondition(this.tenant)];
    if (this.scheme.prefilter) must.push({ key: FIELDS.prefilter, match: { any: userPrefilterTokens(userKey, this.name) } });
    let offset: string | undefined;
    for (;;) {
      const page = await this.#backend.scroll(this.name, { filter: { must }, limit: options.pageSize ?? PAGE, withVector: true, ...(offset !== undefined ? { offset } : {}) });
      for (const p of page.points) {
        const rec = this.#decode(p.id, p.payload, p.vector, []);
        if (rec === null) continue;
        const got = this.#openers.get(rec.kid)?.tryOpen(rec, userKey);
        if (got) yield got;
      }
      if (page.nextOffset === null) return;
      offset = page.nextOffset;
    }
  }

  /**
   * Moves every record of `from`'s epoch to `to`'s epoch by rewriting headers and pre-filter
   * tokens only (vectors and payloads are not touched). Resumable: it selects by epoch, so a
   * re-run continues where an interrupted one stopped.
   */
  async rewrap(from: WriterKey, to: WriterKey, options: { onProgress?: (done: number) => void; pageSize?: number } = {}): Promise<RewrapReport> {
    this.#checkAuthority(from, 'old writer key');
    this.#checkAuthority(to, 'new writer key');
    if (to.epoch <= from.epoch) throw new RangeError(`"to" expected a later epoch than ${from.epoch}, got ${to.epoch}`);
    const rewrapper = createRewrapper({ from, to, collection: this.name });
    const failed: RecordFailure[] = [];
    const failedPoints: string[] = [];
    let rewrapped = 0;
    for (;;) {
      const page = await this.#backend.scroll(this.name, { filter: epochFilter(this.tenant, from.epoch, failedPoints), limit: options.pageSize ?? PAGE, withVector: true });
      if (page.points.length === 0) break;
      const updates: { id: string; payload: Record<string, unknown> }[] = [];
      for (const p of page.points) {
        try {
          const rec = decodeStoredPoint(p.payload, p.vector, { storedDimension: this.scheme.storedDimension });
          const next = encodeStoredPayload(rewrapper.rewrap(rec));
          updates.push({ id: p.id, payload: { h: next.h, ep: next.ep, ...(next.pf !== undefined ? { pf: next.pf } : {}) } });
        } catch (e) {
          failedPoints.push(p.id);
          failed.push({ id: typeof p.payload.id === 'string' ? p.payload.id : p.id, error: e as Error });
        }
      }
      if (updates.length > 0) await this.#backend.setPayload(this.name, updates);
      rewrapped += updates.length;
      options.onProgress?.(rewrapped);
    }
    return { rewrapped, failed };
  }

  /**
   * Re-encrypts every record not under `newKeyset`'s primary key with it (vectors, payloads and
   * headers are sealed afresh from what `writer` can open). Search covers both keys while it
   * runs; it is resumable (it selects records by key id). Retire the old key afterwards.
   */
  async rotateKey(newKeyset: VectorKeyset, writer: WriterKey, options: { onProgress?: (done: number) => void; pageSize?: number } = {}): Promise<RotateReport> {
    this.#checkAuthority(writer, 'writer key');
    for (const kid of this.#ciphers.keys()) {
      if (!newKeyset.has(kid)) throw new SchemeMismatch(`the new keyset must keep key ${kid} until rotation finishes`);
    }
    this.useKeyset(newKeyset);
    const primary = this.#primary;
    const sealer = createSealer({ writer, cipher: primary, collection: this.name, prefilter: this.scheme.prefilter, blindIndex: this.scheme.blindIndexFields, exactVector: this.scheme.exactVector });
    const failed: RecordFailure[] = [];
    const failedPoints: string[] = [];
    let reencrypted = 0;
    for (;;) {
      const page = await this.#backend.scroll(this.name, { filter: notKidFilter(this.tenant, primary.kid, failedPoints), limit: options.pageSize ?? PAGE, withVector: true });
      if (page.points.length === 0) break;
      const batch: SealedRecord[] = [];
      for (const p of page.points) {
        try {
          const rec = decodeStoredPoint(p.payload, p.vector, { storedDimension: this.scheme.storedDimension });
          const opener = this.#openers.get(rec.kid);
          if (opener === undefined) throw new SchemeMismatch(`record is under vector key ${rec.kid}, which is not in the keyset`);
          const plain = opener.openWithWriter(rec, writer);
          batch.push(sealer.seal({ id: rec.id, vector: plain.vector!, payload: plain.payload, policy: plain.policy }));
        } catch (e) {
          failedPoints.push(p.id);
          failed.push({ id: typeof p.payload.id === 'string' ? p.payload.id : p.id, error: e as Error });
        }
      }
      if (batch.length > 0) {
        const res = await this.#store(batch, {});
        reencrypted += res.stored.length;
        for (const f of res.failed) {
          failed.push(f);
          failedPoints.push(pointIdOf(this.tenant, f.id));
        }
      }
      options.onProgress?.(reencrypted);
    }
    return { reencrypted, failed };
  }
}

function checkOpenOptions(o: OpenCollectionOptions): { name: string; tenant: string; keyset: VectorKeyset } {
  if (typeof o !== 'object' || o === null) throw new TypeError('"options" expected object');
  if (typeof o.name !== 'string' || o.name.length === 0) throw new TypeError('"name" expected non-empty string');
  if (typeof o.keyset !== 'object' || o.keyset === null || typeof o.keyset.get !== 'function') throw new TypeError('"keyset" expected a VectorKeyset');
  const tenant = o.tenant ?? '';
  if (typeof tenant !== 'string') throw new TypeError('"tenant" expected string');
  return { name: o.name, tenant, keyset: o.keyset };
}

function positiveInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TypeError(`"${name}" expected integer, got ${String(v)}`);
  if (v < 1) throw new RangeError(`"${name}" expected integer >= 1, got ${v}`);
  return v;
}

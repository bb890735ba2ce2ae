/**
 * Long operations over a whole collection: rewrap (epoch rotation: headers, tokens and
 * signatures only) and rotateKey (vector key rotation: every record re-sealed), which is also the
 * migration of a format v1 collection to v2.
 *
 * Both page through the collection by offset (linear work, however large), select what is left
 * to do by a filter (so a re-run resumes where an interrupted one stopped), report progress and
 * name every record that failed.
 */
import {
  BackendError,
  createRewrapper,
  decodeStoredPoint,
  encodeStoredPayload,
  schemeToJSON,
  SchemeMismatch,
  signScheme,
  storedDimensionOf,
  type Scheme,
  type SchemeFields,
  type Sealer,
  type SealedRecord,
  type VectorKeyset,
  type WriterKey,
} from '@sealvec/core';
import type { Backend, Filter, Point } from '../backend/types.js';
import type { Logger } from '../log.js';
import type { KeyCiphers } from './ciphers.js';
import { epochFilter, FIELDS, notKidFilter } from './filters.js';
import { pointIdOf } from './point-id.js';

export interface RecordFailure {
  /** The caller's record id (or the point id when the record could not be read). */
  id: string;
  error: Error;
}

export interface RewrapReport {
  rewrapped: number;
  failed: RecordFailure[];
}

export interface RotateReport {
  reencrypted: number;
  failed: RecordFailure[];
}

export interface MaintenanceOptions {
  /** Called after each page with the number of records done so far. */
  onProgress?: (done: number) => void;
  /** Records per page (default 256). */
  pageSize?: number;
}

export interface MaintenanceContext {
  backend: Backend;
  name: string;
  tenant: string;
  logger: Logger | undefined;
  scheme(): Scheme;
  ciphers(): ReadonlyMap<string, KeyCiphers>;
  keyset(): VectorKeyset;
  setScheme(s: Scheme): void;
  useKeyset(k: VectorKeyset): void;
  sealer(w: WriterKey): Sealer;
  store(records: SealedRecord[]): Promise<{ stored: string[]; failed: RecordFailure[] }>;
}

const PAGE = 256;

/** Every page of points matching `filter`, by offset. */
async function* pages(ctx: MaintenanceContext, filter: Filter, pageSize: number): AsyncGenerator<Point[]> {
  let offset: string | undefined;
  for (;;) {
    const page = await ctx.backend.scroll(ctx.name, { filter, limit: pageSize, withVector: true, ...(offset !== undefined ? { offset } : {}) });
    if (page.points.length > 0) yield page.points;
    if (page.nextOffset === null) return;
    offset = page.nextOffset;
  }
}

function decode(ctx: MaintenanceContext, p: Point): SealedRecord {
  const s = ctx.scheme();
  const rec = decodeStoredPoint(p.payload, p.vector, { storedDimension: storedDimensionOf(s.metric, s.dimension) });
  if (pointIdOf(ctx.tenant, rec.id) !== p.id) throw new SchemeMismatch(`point ${p.id} holds record ${JSON.stringify(rec.id)}, which belongs under another point id`);
  return rec;
}

function failure(p: Point, e: unknown): RecordFailure {
  return { id: typeof p.payload.id === 'string' ? p.payload.id : p.id, error: e as Error };
}

function progress(ctx: MaintenanceContext, options: MaintenanceOptions, event: string, done: number, failed: number): void {
  options.onProgress?.(done);
  ctx.logger?.({ level: 'info', event, message: `${event.split('.').pop()}: ${done} done, ${failed} failed`, fields: { collection: ctx.name, done, failed } });
}

export async function rewrapCollection(ctx: MaintenanceContext, from: WriterKey, to: WriterKey, options: MaintenanceOptions): Promise<RewrapReport> {
  if (to.epoch <= from.epoch) throw new RangeError(`"to" expected a later epoch than ${from.epoch}, got ${to.epoch}`);
  const rewrapper = createRewrapper({ from, to, collection: ctx.name });
  const failed: RecordFailure[] = [];
  let rewrapped = 0;
  for await (const points of pages(ctx, epochFilter(ctx.tenant, from.epoch), options.pageSize ?? PAGE)) {
    const updates: { id: string; payload: Record<string, unknown> }[] = [];
    for (const p of points) {
      try {
        const next = encodeStoredPayload(rewrapper.rewrap(decode(ctx, p)));
        updates.push({ id: p.id, payload: { h: next.h, ep: next.ep, s: next.s, ...(next.pf !== undefined ? { pf: next.pf } : {}) } });
      } catch (e) {
        failed.push(failure(p, e));
      }
    }
    if (updates.length > 0) await ctx.backend.setPayload(ctx.name, updates);
    rewrapped += updates.length;
    progress(ctx, options, 'collection.rewrap.progress', rewrapped, failed.length);
  }
  return { rewrapped, failed };
}

/** The median norm of the plaintext vectors of the first page: the data scale a v1 euclid scheme never recorded. */
async function measureScale(ctx: MaintenanceContext, writer: WriterKey): Promise<number> {
  const norms: number[] = [];
  for await (const points of pages(ctx, { must: [{ key: FIELDS.tenant, match: { value: ctx.tenant } }] }, PAGE)) {
    for (const p of points) {
      try {
        const rec = decode(ctx, p);
        const v = ctx.ciphers().get(rec.kid)?.opener.openWithWriter(rec, writer).vector;
        if (v !== undefined) norms.push(Math.hypot(...v));
      } catch {
        // A record this writer cannot open says nothing about the scale.
      }
    }
    break;
  }
  norms.sort((a, b) => a - b);
  const m = norms[norms.length >> 1];
  if (m === undefined || !(m > 0)) throw new SchemeMismatch('cannot measure the data scale of this euclid collection: pass options.scale');
  return m;
}

/** Stores a re-signed scheme in the collection metadata and uses it from now on. */
async function storeScheme(ctx: MaintenanceContext, fields: SchemeFields, writer: WriterKey): Promise<void> {
  if (ctx.backend.setMetadata === undefined) throw new BackendError('this backend cannot update collection metadata, which migrating a collection needs');
  const signed = signScheme(fields, writer);
  // Qdrant deletes a metadata key set to null (QdrantBackend.setMetadata refuses one): the null
  // fields (preset, scale, maxNorm) are left out, and parseScheme reads an absent one as null.
  const metadata = Object.fromEntries(Object.entries(schemeToJSON(signed)).filter(([, v]) => v !== null));
  await ctx.backend.setMetadata(ctx.name, metadata);
  ctx.setScheme(signed);
  ctx.logger?.({ level: 'info', event: 'collection.scheme.signed', message: `signed the scheme of ${ctx.name} (legacy keys: ${fields.legacyKids.length})`, fields: { collection: ctx.name, legacyKids: fields.legacyKids.length } });
}

export interface RotateOptions extends MaintenanceOptions {
  /** Euclid v1 migration: the data scale (default: the median norm of the first page). */
  scale?: number;
  /**
   * Writer keys of older epochs, to open records not yet at `writer`'s epoch (each is re-sealed
   * at `writer`'s epoch). Needed to migrate a v1 collection whose records span epochs, since v1
   * records are not rewrapped.
   */
  openWith?: readonly WriterKey[];
}

export async function rotateCollectionKey(ctx: MaintenanceContext, newKeyset: VectorKeyset, writer: WriterKey, options: RotateOptions): Promise<RotateReport> {
  const writers = new Map<number, WriterKey>([[writer.epoch, writer]]);
  for (const w of options.openWith ?? []) if (!writers.has(w.epoch)) writers.set(w.epoch, w);
  const primaryKid = newKeyset.primary.kid;
  const before = ctx.scheme();
  if (before.version === 1) {
    // Once the scheme is signed, every record under the new primary key is read as v2: it must
    // hold none yet (in any tenant). The handle's other keys hold the v1 records.
    if ((await ctx.backend.count(ctx.name, { must: [{ key: FIELDS.kid, match: { value: primaryKid } }] })) > 0) {
      throw new SchemeMismatch('migrating a format v1 collection re-seals every record under a new vector key: add one to the keyset and promote it');
    }
    const scale = before.metric === 'euclid' ? (options.scale ?? (await measureScale(ctx, writer))) : null;
    const { version: _v, ...fields } = before;
    void _v;
    // A v2 collection's epoch is indexed (rewrap filters on it, which Qdrant in strict mode allows
    // only on an indexed field); v1 never indexed it.
    await ctx.backend.ensureIndexes?.(ctx.name, { integerFields: [FIELDS.epoch] });
    await storeScheme(ctx, { ...fields, scale, legacyKids: [...ctx.ciphers().keys()].filter((k) => k !== primaryKid) }, writer);
  } else if (before.legacyKids.includes(primaryKid)) {
    throw new SchemeMismatch(`key ${primaryKid} holds format v1 records: promote a new key to migrate them`);
  }
  ctx.useKeyset(newKeyset);
  const sealer = ctx.sealer(writer);
  const failed: RecordFailure[] = [];
  let reencrypted = 0;
  for await (const points of pages(ctx, notKidFilter(ctx.tenant, primaryKid), options.pageSize ?? PAGE)) {
    const batch: SealedRecord[] = [];
    for (const p of points) {
      try {
        const rec = decode(ctx, p);
        const kc = ctx.ciphers().get(rec.kid);
        if (kc === undefined) throw new SchemeMismatch(`record is under vector key ${rec.kid}, which is not in the keyset`);
        const opener = writers.get(rec.epoch) ?? writer; // another epoch's record fails to open: reported
        const plain = kc.opener.openWithWriter(rec, opener);
        batch.push(sealer.seal({ id: rec.id, vector: plain.vector!, payload: plain.payload, policy: plain.policy }));
      } catch (e) {
        failed.push(failure(p, e));
      }
    }
    if (batch.length > 0) {
      const res = await ctx.store(batch);
      reencrypted += res.stored.length;
      failed.push(...res.failed);
    }
    progress(ctx, options, 'collection.rotate.progress', reencrypted, failed.length);
  }
  // Migration done (in every tenant) when no record remains under a legacy key: sign the scheme
  // without them, so v1 records are no longer accepted.
  const now = ctx.scheme();
  if (now.version === 2 && now.legacyKids.length > 0) {
    const left = await ctx.backend.count(ctx.name, { must: [{ key: FIELDS.kid, match: { any: [...now.legacyKids] } }] });
    if (left === 0) {
      const { version: _v, creator: _c, signature: _s, ...fields } = now;
      void _v;
      void _c;
      void _s;
      await storeScheme(ctx, { ...fields, legacyKids: [] }, writer);
    }
  }
  return { reencrypted, failed };
}

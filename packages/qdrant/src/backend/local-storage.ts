/**
 * Where LocalBackend keeps its collections: the operations it needs once arguments are checked,
 * and the in-memory implementation. The persisted one is ./local-sqlite.ts. Both are synchronous
 * (better-sqlite3 is) and return payloads by reference: LocalBackend copies what it hands out.
 */
import { Conflict, NotFound } from '@sealvec/core';
import type { PointPredicate } from './filter.js';
import { LocalCollection, type StoredPoint } from './local-store.js';
import type { Distance, Payload, Point } from './types.js';
import { notFound, uniqueIds } from './validate.js';

/** A collection as created: its shape, index settings and metadata. */
export interface CatalogEntry {
  name: string;
  dimension: number;
  distance: Distance;
  tenantField?: string;
  keywordFields: string[];
  integerFields: string[];
  metadata: Record<string, unknown>;
}

export type DeleteSelector = { ids: string[] } | { where: PointPredicate };

export interface ScrollResult {
  points: StoredPoint[];
  next: string | null;
}

export interface LocalStorage {
  /** Conflict when the name is taken. */
  create(entry: CatalogEntry): void;
  describe(name: string): CatalogEntry | null;
  /** A no-op when the collection does not exist. */
  drop(name: string): void;
  /** Every collection name, in no particular order. */
  names(): string[];
  setMetadata(name: string, metadata: Record<string, unknown>): void;
  /** Stores one batch, all or nothing; every vector has the collection's dimension and is finite. */
  upsert(name: string, points: readonly Point[]): void;
  delete(name: string, selector: DeleteSelector): void;
  /** All or nothing: NotFound (changing nothing) when an id does not exist. */
  setPayload(name: string, updates: readonly { id: string; payload: Payload }[]): void;
  count(name: string, where: PointPredicate | undefined): number;
  /** Points by id, each once, in first-occurrence order; missing ids are left out. */
  retrieve(name: string, ids: readonly string[], withVector: boolean): StoredPoint[];
  /** Points in ascending id order from `offset` (inclusive), and the id after the page. */
  scroll(name: string, limit: number, offset: string | undefined, where: PointPredicate | undefined, withVector: boolean): ScrollResult;
  /** The collection in memory, current, for search. */
  searchable(name: string): LocalCollection;
  close(): void;
}

/** The error for a setPayload naming points that do not exist. */
export function missingPoints(name: string, missing: readonly string[]): NotFound {
  const more = missing.length > 5 ? ` (and ${missing.length - 5} more)` : '';
  return new NotFound(`no point with id ${missing.slice(0, 5).join(', ')}${more} in collection ${JSON.stringify(name)}`);
}

/** Collections held in this process only, gone on close. */
export class MemoryStorage implements LocalStorage {
  private readonly collections = new Map<string, { entry: CatalogEntry; points: LocalCollection }>();

  private get(name: string): LocalCollection {
    const c = this.collections.get(name);
    if (c === undefined) throw notFound(name);
    return c.points;
  }

  create(entry: CatalogEntry): void {
    if (this.collections.has(entry.name)) throw new Conflict(`collection ${JSON.stringify(entry.name)} already exists`);
    this.collections.set(entry.name, { entry, points: new LocalCollection(entry) });
  }

  describe(name: string): CatalogEntry | null {
    return this.collections.get(name)?.entry ?? null;
  }

  drop(name: string): void {
    this.collections.delete(name);
  }

  names(): string[] {
    return [...this.collections.keys()];
  }

  setMetadata(name: string, metadata: Record<string, unknown>): void {
    const c = this.collections.get(name);
    if (c === undefined) throw notFound(name);
    c.entry = { ...c.entry, metadata };
  }

  upsert(name: string, points: readonly Point[]): void {
    const c = this.get(name);
    for (const p of points) c.upsert(p.id, p.vector, p.payload);
  }

  delete(name: string, selector: DeleteSelector): void {
    const c = this.get(name);
    for (const id of 'ids' in selector ? selector.ids : c.matching(selector.where)) c.delete(id);
  }

  setPayload(name: string, updates: readonly { id: string; payload: Payload }[]): void {
    const c = this.get(name);
    const missing = uniqueIds(updates.map((u) => u.id).filter((id) => !c.has(id)));
    if (missing.length > 0) throw missingPoints(name, missing);
    for (const u of updates) c.setPayload(u.id, u.payload);
  }

  count(name: string, where: PointPredicate | undefined): number {
    return this.get(name).count(where);
  }

  retrieve(name: string, ids: readonly string[], withVector: boolean): StoredPoint[] {
    const c = this.get(name);
    return uniqueIds([...ids]).flatMap((id) => c.get(id, withVector) ?? []);
  }

  scroll(name: string, limit: number, offset: string | undefined, where: PointPredicate | undefined, withVector: boolean): ScrollResult {
    return this.get(name).scroll(limit, offset, where, withVector);
  }

  searchable(name: string): LocalCollection {
    return this.get(name);
  }

  close(): void {
    this.collections.clear();
  }
}

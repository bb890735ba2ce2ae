/**
 * Everything a framework integration (@sealvec/langchain, @sealvec/llamaindex) asks of
 * SealedCollection, in one place, shared so the two stores behave alike: create/open, encrypt-then-
 * upsert that throws when a record did not land, search as a user, delete by id or by a
 * blind-indexed field. `create` takes the writer (it signs the collection's scheme); `open` takes
 * a key of the collection's authority (it verifies the scheme).
 */
import { SchemeMismatch, type JsonValue, type Metric, type PresetName, type SealInput, type UserKey, type VectorKeyset, type WriterKey } from '@sealvec/core';
import type { Backend } from '../backend/types.js';
import { SealedCollection } from '../collection/sealed-collection.js';

/** What a record may be sealed under: a Policy, a `{ department: [...] }` map, or a policy string. */
export type PolicyInput = SealInput['policy'];

/** Equality on blind-indexed payload fields (AND across fields). */
export type Where = Record<string, string | number | boolean>;

export interface Handle {
  collection: SealedCollection;
  /** The collection's backend: needed only to delete by filter. */
  backend?: Backend | undefined;
}

export interface CreateOptions {
  backend: Backend;
  name: string;
  dimension: number;
  keyset: VectorKeyset;
  writer: WriterKey;
  tenant?: string | undefined;
  metric?: Metric | undefined;
  preset?: PresetName | undefined;
  blindIndexFields?: readonly string[] | undefined;
}

export interface OpenOptions {
  backend: Backend;
  name: string;
  keyset: VectorKeyset;
  tenant?: string | undefined;
  /** A key of the collection's authority (format v2 verifies the scheme against it). */
  key: WriterKey | UserKey;
}

/** Opens the collection when it exists (checking its dimension), else creates it. */
export async function openOrCreate(o: CreateOptions): Promise<Handle> {
  const tenant = o.tenant ?? '';
  if ((await o.backend.describe(o.name)) !== null) {
    const handle = await open({ backend: o.backend, name: o.name, keyset: o.keyset, tenant, key: o.writer });
    if (handle.collection.dimension !== o.dimension) {
      throw new SchemeMismatch(`collection "${o.name}" holds vectors of dimension ${handle.collection.dimension}, the embeddings give ${o.dimension}`);
    }
    return handle;
  }
  const collection = await SealedCollection.create(o.backend, {
    name: o.name,
    tenant,
    dimension: o.dimension,
    metric: o.metric ?? 'cosine',
    keyset: o.keyset,
    writer: o.writer,
    ...(o.preset !== undefined ? { preset: o.preset } : {}),
    blindIndexFields: [...(o.blindIndexFields ?? [])],
  });
  return { collection, backend: o.backend };
}

export async function open(o: OpenOptions): Promise<Handle> {
  const collection = await SealedCollection.open(o.backend, { name: o.name, keyset: o.keyset, authority: o.key, ...(o.tenant !== undefined ? { tenant: o.tenant } : {}) });
  return { collection, backend: o.backend };
}

export interface SealedInput {
  id: string;
  vector: readonly number[];
  payload: JsonValue;
  policy: PolicyInput;
}

/**
 * Seals and stores every record, or throws. A bad record (dimension, non-finite value, policy,
 * duplicate id) throws before anything is written; a storage failure throws IngestIncomplete
 * whose `failedIds` are exactly the records that did not land (re-adding them is safe).
 */
export async function store(h: Handle, records: readonly SealedInput[], writer: WriterKey): Promise<string[]> {
  return h.collection.upsertAll(records, { writer });
}

export interface Hit {
  id: string;
  /** Cosine similarity, Euclidean distance or inner product, by the collection's metric. */
  score: number;
  payload: JsonValue;
  /** The exact plaintext vector, when asked for. */
  vector?: Float32Array;
}

export async function search(h: Handle, query: readonly number[], o: { userKey: UserKey; k: number; where?: Where | undefined; withVector?: boolean }): Promise<Hit[]> {
  const { hits } = await h.collection.search(query, {
    userKey: o.userKey,
    k: o.k,
    ...(o.where !== undefined ? { where: o.where } : {}),
    ...(o.withVector === true ? { withVector: true } : {}),
  });
  return hits;
}

export async function removeIds(h: Handle, ids: readonly string[]): Promise<void> {
  await h.collection.delete(ids);
}

/**
 * Deletes every record of this tenant whose blind-indexed fields equal `where`. The writer
 * derives any field's token, so it can delete records it cannot read.
 */
export async function removeWhere(h: Handle, where: Where, writer: WriterKey): Promise<void> {
  await h.collection.deleteWhere(where, writer);
}

export function keepsExactVectors(h: Handle): boolean {
  return h.collection.scheme.exactVector;
}

/**
 * Test support: fixtures/v1/v1.json (data sealed by the last format v1 code, and that code's
 * answers; see its README), with the keys imported by today's code and the stored points ready
 * to be loaded into any backend.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importAuthority, importUserKey, importWriterKey, VectorKeyset, type DimensionMap, type JsonValue } from '@sealvec/core';
import type { Backend, CollectionSpec, Point } from '../../backend/types.js';

export interface V1Hit {
  id: string;
  score: number;
}

export interface V1Record {
  id: string;
  epoch: number;
  kid: string;
  row: number;
  policy: DimensionMap;
  payload: JsonValue;
  vectorSha256: string;
}

export interface V1Collection {
  name: string;
  metric: 'cosine' | 'euclid';
  dataset: string;
  scaleUsedForBeta: number | null;
  spec: CollectionSpec;
  points: { id: string; vector: string; payload: Record<string, unknown> }[];
  records: V1Record[];
  answers: {
    opens: Record<string, string[]>;
    search: { query: number; k: number; hits: Record<string, V1Hit[]> }[];
    where: { query: number; key: string; where: Record<string, string>; k: number; hits: V1Hit[] } | null;
  };
}

export interface V1Fixture {
  users: Record<string, DimensionMap>;
  keys: {
    authority: string;
    vectors: string;
    writers: Record<string, string>;
    users: Record<string, string>;
    kids: { k1: string; k2: string };
  };
  collections: { cosine: V1Collection; euclid: V1Collection };
  file: {
    path: string;
    collection: string;
    epoch: number;
    kid: string;
    scaleUsedForBeta: number;
    records: { id: string; row: number; policy: string; payload: JsonValue }[];
    decrypt: Record<string, { id: string; payload: JsonValue; vectorSha256: string }[]>;
  };
}

export const V1_DIR = new URL('../../../../../fixtures/v1/', import.meta.url);
export const v1 = JSON.parse(readFileSync(new URL('v1.json', V1_DIR), 'utf8')) as V1Fixture;

/** The fixture's keys as today's code imports them (v1 key files: no signing material). */
export function v1Keys() {
  return {
    authority: importAuthority(v1.keys.authority),
    keyset: VectorKeyset.import(v1.keys.vectors),
    writers: Object.fromEntries(Object.entries(v1.keys.writers).map(([e, t]) => [Number(e), importWriterKey(t)])) as Record<number, ReturnType<typeof importWriterKey>>,
    users: Object.fromEntries(Object.entries(v1.keys.users).map(([k, t]) => [k, importUserKey(t)])),
  };
}

export function v1Points(c: V1Collection): Point[] {
  return c.points.map((p) => {
    const b = Buffer.from(p.vector, 'base64url');
    return { id: p.id, vector: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), payload: structuredClone(p.payload) };
  });
}

/** Creates the collection as the old code did (its spec and v1 metadata) and stores its points. */
export async function loadV1(backend: Backend, c: V1Collection, name = c.name): Promise<void> {
  await backend.createCollection({ ...structuredClone(c.spec), name });
  const res = await backend.upsert(name, v1Points(c));
  if (res.failed.length > 0) throw new Error(`loading the v1 points failed: ${res.failed[0]!.error.message}`);
}

/** SHA-256 of a vector's float32 bytes (how the fixture records the vectors the old code opened). */
export function vectorSha256(v: ArrayLike<number>): string {
  return createHash('sha256').update(new Uint8Array(Float32Array.from(v).buffer)).digest('hex');
}

/** Rows of a fixtures/datasets fvecs file. */
export function datasetRows(dataset: string, file: 'base' | 'query', rows: readonly number[]): Float32Array[] {
  const buf = readFileSync(new URL(`../../../../../fixtures/datasets/${dataset}/${file}.fvecs`, import.meta.url));
  const d = buf.readInt32LE(0);
  return rows.map((r) => Float32Array.from({ length: d }, (_, i) => buf.readFloatLE(r * (4 + 4 * d) + 4 + 4 * i)));
}

/** The user (alice, bob) of a fixture key name ("alice@2"). */
export const userOf = (keyName: string): string => keyName.slice(0, keyName.indexOf('@'));

/**
 * How a LangChain Document is laid out in a sealed payload, and back. Pure.
 *
 * The payload is the document's metadata with its text under one reserved key:
 * `{ ...metadata, [contentKey]: pageContent }`. Metadata stays at the top level because blind
 * indexes (the only filters the database can run on sealed payloads) index top-level fields. The
 * document id is the record id, so it is bound into the record and not repeated in the payload.
 */
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { Malformed, type JsonValue } from '@sealvec/core';

/** Sealed payloads hold JSON, so metadata values must be JSON values (checked when sealing). */
export type Metadata = Record<string, JsonValue>;

/**
 * The bound on a store's metadata type: LangChain's own (`Record<string, any>`), so interfaces
 * qualify too (they have no index signature, so `Record<string, JsonValue>` would reject them).
 */
export type AnyMetadata = Record<string, any>;

export const DEFAULT_CONTENT_KEY = 'pageContent';

export function toPayload(doc: DocumentInterface, contentKey: string, label: string): JsonValue {
  if (typeof doc?.pageContent !== 'string') throw new TypeError(`"${label}.pageContent" expected string`);
  const metadata = doc.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new TypeError(`"${label}.metadata" expected object`);
  if (Object.prototype.hasOwnProperty.call(metadata, contentKey)) {
    throw new Malformed(`${label}: metadata may not hold the key ${JSON.stringify(contentKey)}, which stores the page content (choose another contentKey)`);
  }
  return { ...(metadata as Metadata), [contentKey]: doc.pageContent };
}

/**
 * The Document a stored payload describes. Payloads not written by this store (for example by
 * the CLI) still come back: a string payload becomes the page content, any other non-object
 * value its JSON text, with empty metadata.
 */
export function toDocument<M extends AnyMetadata>(id: string, payload: JsonValue, contentKey: string): Document<M> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return new Document<M>({ id, pageContent: typeof payload === 'string' ? payload : JSON.stringify(payload), metadata: {} as M });
  }
  const { [contentKey]: content, ...metadata } = payload;
  return new Document<M>({ id, pageContent: typeof content === 'string' ? content : '', metadata: metadata as M });
}

// Type-checked as a CommonJS module under module nodenext: TypeScript >= 5.8 models Node's
// require() of ES modules, so CommonJS code can use the ESM-only packages with full types.
import { createWriterKey, generateAuthority, VectorKeyset } from '@sealvec/core';
import { LocalBackend, SealedCollection } from '@sealvec/qdrant';
import { SealedVectorStore } from '@sealvec/langchain';
import { SealedVectorStore as LlamaStore } from '@sealvec/llamaindex';

export async function main(): Promise<number> {
  const authority = generateAuthority();
  const writer = createWriterKey(authority);
  const collection = await SealedCollection.create(new LocalBackend(), { name: 'c', dimension: 4, metric: 'cosine', keyset: VectorKeyset.create(), writer });
  const stores: unknown[] = [SealedVectorStore, LlamaStore, writer];
  return collection.dimension + stores.length;
}

/**
 * The vector ciphers and openers of one collection handle: one per live key of the keyset, in the
 * format the collection's records under that key use (v1 for keys of a collection that is still
 * format v1 or that the signed scheme lists as legacy, v2 otherwise).
 */
import { createOpener, createVectorCipher, type Opener, type Scheme, type VectorCipher, type VectorKeyset } from '@sealvec/core';

export interface KeyCiphers {
  cipher: VectorCipher;
  opener: Opener;
}

export function cipherVersionOf(scheme: Scheme, kid: string): 1 | 2 {
  return scheme.version === 1 || scheme.legacyKids.includes(kid) ? 1 : 2;
}

export function buildCiphers(scheme: Scheme, keyset: VectorKeyset, tenant: string): Map<string, KeyCiphers> {
  const out = new Map<string, KeyCiphers>();
  for (const key of keyset.keys) {
    const version = cipherVersionOf(scheme, key.kid);
    const cipher = createVectorCipher(key, {
      version,
      dimension: scheme.dimension,
      metric: scheme.metric,
      beta: scheme.beta,
      tenant,
      ...(version === 2 ? { collection: scheme.collection } : {}),
      ...(scheme.maxNorm !== null ? { maxNorm: scheme.maxNorm } : {}),
      ...(scheme.scale !== null ? { scale: scheme.scale } : {}),
    });
    out.set(key.kid, { cipher, opener: createOpener({ cipher, collection: scheme.collection }) });
  }
  return out;
}

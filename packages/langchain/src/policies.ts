/**
 * Which policy each document is sealed under. Pure. A policy is never implicit: a document with
 * none (no per-call choice, no store default) is an error naming it, raised before anything is
 * written.
 */
import type { DocumentInterface } from '@langchain/core/documents';
import { InvalidPolicy } from '@sealvec/core';
import type { AnyMetadata } from './payload.js';
import type { PolicyInput } from '@sealvec/qdrant/integration';

/** One policy for every document, or a function choosing each document's (e.g. from its metadata). */
export type PolicyChoice<M extends AnyMetadata> = PolicyInput | ((doc: DocumentInterface<M>, index: number) => PolicyInput | undefined);

function pick<M extends AnyMetadata>(choice: PolicyChoice<M> | undefined, doc: DocumentInterface<M>, i: number): PolicyInput | undefined {
  return typeof choice === 'function' ? choice(doc, i) : choice;
}

/** The policy of each document: the call's choice, else the store's default. */
export function policiesFor<M extends AnyMetadata>(
  docs: readonly DocumentInterface<M>[],
  ids: readonly string[],
  choice: PolicyChoice<M> | undefined,
  fallback: PolicyChoice<M> | undefined,
): PolicyInput[] {
  const missing: string[] = [];
  const out = docs.map((doc, i) => {
    const p = pick(choice, doc, i) ?? pick(fallback, doc, i);
    if (p === undefined || p === null) missing.push(JSON.stringify(ids[i]));
    return p as PolicyInput;
  });
  if (missing.length > 0) {
    throw new InvalidPolicy(
      `${missing.length} document(s) have no policy: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} (give a policy per call, or a default when creating the store; use "*" to open to every key holder)`,
    );
  }
  return out;
}

/**
 * Which policy each node is sealed under. Pure. A policy is never implicit: a node with none (no
 * per-call choice, no store default) is an error naming it, raised before anything is written.
 */
import type { BaseNode } from '@llamaindex/core/schema';
import { InvalidPolicy } from '@sealvec/core';
import type { PolicyInput } from '@sealvec/qdrant/integration';

/** One policy for every node, or a function choosing each node's (e.g. from its metadata). */
export type PolicyChoice = PolicyInput | ((node: BaseNode, index: number) => PolicyInput | undefined);

export function policiesFor(nodes: readonly BaseNode[], choice: PolicyChoice | undefined): PolicyInput[] {
  const missing: string[] = [];
  const out = nodes.map((node, i) => {
    const p = typeof choice === 'function' ? choice(node, i) : choice;
    if (p === undefined || p === null) missing.push(JSON.stringify(node.id_));
    return p as PolicyInput;
  });
  if (missing.length > 0) {
    throw new InvalidPolicy(
      `${missing.length} node(s) have no policy: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} (give the store a policy, or a function choosing one per node; use "*" to open to every key holder)`,
    );
  }
  return out;
}

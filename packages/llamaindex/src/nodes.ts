/**
 * How a LlamaIndex node is laid out in a sealed payload, and back. Pure. The layout is
 * LlamaIndex's own (`nodeToMetadata`: the node's metadata at the top level, its content and
 * relationships as `_node_content`, its type, and `ref_doc_id` / `doc_id` / `document_id`), as
 * LlamaIndex's Qdrant store writes it, except that here all of it is sealed.
 */
import type { BaseNode } from '@llamaindex/core/schema';
import { metadataDictToNode, nodeToMetadata } from '@llamaindex/core/vector-store';
import type { JsonValue } from '@sealvec/core';

export function toPayload(node: BaseNode): JsonValue {
  return nodeToMetadata(node) as JsonValue;
}

export function toNode(payload: JsonValue): BaseNode {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    // Not written through LlamaIndex (e.g. by the CLI): the value becomes the node's text.
    return metadataDictToNode({}, { fallback: { text: typeof payload === 'string' ? payload : JSON.stringify(payload) } });
  }
  return metadataDictToNode(payload as Record<string, unknown>, { fallback: { text: '' } });
}

/**
 * `withPayload` selectors (see PayloadSelector in ./types.ts): checked once per request, then
 * applied to each returned point. Applying always makes a copy, so a caller that mutates a
 * result never changes what the store holds. Also the set-payload merge every backend shares.
 */
import type { Payload } from './types.js';

/** A checked selector: every key, no key, or the listed top-level keys. */
export type CheckedSelector = { all: true } | { all: false; keys: readonly string[] };

const ALL: CheckedSelector = { all: true };
const NONE: CheckedSelector = { all: false, keys: [] };

export function checkPayloadSelector(v: unknown, what: string): CheckedSelector {
  if (v === undefined || v === true) return ALL;
  if (v === false) return NONE;
  if (!Array.isArray(v)) {
    throw new TypeError(`"${what}" expected boolean or array of strings, got ${v === null ? 'null' : typeof v}`);
  }
  v.forEach((k: unknown, i) => {
    if (typeof k !== 'string' || k.length === 0) throw new TypeError(`"${what}[${i}]" expected non-empty string`);
    // The same rule for every backend: Qdrant takes selectors as payload paths, and no path can
    // name a key holding '"' or '\\' (filter.ts payloadPath).
    if (k.includes('"') || k.includes('\\')) throw new RangeError(`"${what}[${i}]" contains '"' or '\\', which a Qdrant payload path cannot express`);
  });
  return { all: false, keys: [...new Set(v as string[])] };
}

/** A copy of the selected part of `payload`; keys absent from it are absent from the result. */
export function selectPayload(payload: Payload, sel: CheckedSelector): Payload {
  if (sel.all) return structuredClone(payload);
  const out: Payload = {};
  for (const k of sel.keys) {
    if (Object.hasOwn(payload, k)) out[k] = structuredClone(payload[k]);
  }
  return out;
}


/**
 * `partial` merged into `current` as Qdrant's set-payload does (lib/segment/src/common/utils.rs,
 * merge_map): a key set to null is removed, any other value replaces the key's. A new object.
 */
export function mergePayload(current: Payload, partial: Payload): Payload {
  const out: Payload = { ...current };
  for (const [k, v] of Object.entries(partial)) {
    if (v === null) delete out[k];
    else out[k] = structuredClone(v);
  }
  return out;
}

/**
 * A policy schema: the ordered list of attribute dimensions (default role, group, department).
 *
 * The schema is part of every tuple's canonical encoding, so an authority fixes it once: keys
 * issued under one schema never open records sealed under another. JSON and CLI input may name a
 * dimension by its name or its plural (`role` or `roles`); output always uses the name.
 */
import { InvalidPolicy } from '../errors.js';
import { MAX_DIMENSION_NAME_LENGTH, MAX_DIMENSIONS } from '../format/constants.js';

export interface PolicySchema {
  /** Dimension names, in canonical order. */
  readonly dimensions: readonly string[];
}

export const DEFAULT_DIMENSIONS: readonly string[] = Object.freeze(['role', 'group', 'department']);

const NAME = new RegExp(`^[a-z][a-z0-9_]{0,${MAX_DIMENSION_NAME_LENGTH - 1}}$`);

/** Builds and validates a schema. Throws InvalidPolicy for a bad name, a duplicate or a bad count. */
export function createSchema(dimensions: readonly string[] = DEFAULT_DIMENSIONS): PolicySchema {
  if (!Array.isArray(dimensions)) throw new TypeError('"dimensions" expected array of strings');
  if (dimensions.length < 1 || dimensions.length > MAX_DIMENSIONS) {
    throw new InvalidPolicy(`a schema needs 1 to ${MAX_DIMENSIONS} dimensions, got ${dimensions.length}`);
  }
  const seen = new Set<string>();
  for (const d of dimensions) {
    if (typeof d !== 'string' || !NAME.test(d)) {
      throw new InvalidPolicy(
        `dimension names must match ${NAME.source} (lowercase ASCII, at most ${MAX_DIMENSION_NAME_LENGTH} characters), got ${JSON.stringify(d)}`,
      );
    }
    // A name equal to another's plural alias would make `{ roles: ... }` ambiguous.
    if (seen.has(d) || seen.has(`${d}s`) || (d.endsWith('s') && seen.has(d.slice(0, -1)))) {
      throw new InvalidPolicy(`dimension ${JSON.stringify(d)} repeats or collides with another dimension's plural`);
    }
    seen.add(d);
  }
  return Object.freeze({ dimensions: Object.freeze(dimensions.slice()) });
}

export const DEFAULT_SCHEMA: PolicySchema = createSchema();

/** Index of the dimension named `key` (its name or plural), or -1. */
export function dimensionIndex(schema: PolicySchema, key: string): number {
  const i = schema.dimensions.indexOf(key);
  if (i >= 0) return i;
  return key.endsWith('s') ? schema.dimensions.indexOf(key.slice(0, -1)) : -1;
}

export function sameSchema(a: PolicySchema, b: PolicySchema): boolean {
  return a.dimensions.length === b.dimensions.length && a.dimensions.every((d, i) => d === b.dimensions[i]);
}

/** Validates a schema read from untrusted JSON (a list of names). */
export function schemaFromJSON(value: unknown): PolicySchema {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InvalidPolicy('a schema must be an array of dimension names');
  }
  return createSchema(value as string[]);
}

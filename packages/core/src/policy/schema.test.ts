import { describe, expect, it } from 'vitest';
import { InvalidPolicy } from '../errors.js';
import { createSchema, DEFAULT_SCHEMA, dimensionIndex, schemaFromJSON } from './schema.js';

describe('schema', () => {
  it('defaults to role, group, department and resolves plurals', () => {
    expect(DEFAULT_SCHEMA.dimensions).toEqual(['role', 'group', 'department']);
    expect(dimensionIndex(DEFAULT_SCHEMA, 'roles')).toBe(0);
    expect(dimensionIndex(DEFAULT_SCHEMA, 'department')).toBe(2);
    expect(dimensionIndex(DEFAULT_SCHEMA, 'teams')).toBe(-1);
  });

  it('rejects bad names, duplicates, plural collisions and bad counts', () => {
    for (const dims of [[], ['Role'], ['role', 'role'], ['role', 'roles'], ['roles', 'role'], ['1x'], ['a'.repeat(33)], Array.from({ length: 9 }, (_, i) => `d${i}`)]) {
      expect(() => createSchema(dims), JSON.stringify(dims)).toThrow(InvalidPolicy);
    }
    expect(() => schemaFromJSON('role')).toThrow(InvalidPolicy);
    expect(() => schemaFromJSON([1])).toThrow(InvalidPolicy);
    expect(() => createSchema('role' as unknown as string[])).toThrow(TypeError);
  });
});

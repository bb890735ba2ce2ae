import { createSchema, DEFAULT_SCHEMA } from '@sealvec/core';
import { describe, expect, it } from 'vitest';
import { attributesFrom } from './keys.js';

describe('attributesFrom', () => {
  it('collects repeated and comma-separated values per dimension', () => {
    expect(attributesFrom(DEFAULT_SCHEMA, { role: ['a', 'b,c'], group: ['g'], attr: ['department=x, y'] })).toEqual({
      role: ['a', 'b', 'c'],
      group: ['g'],
      department: ['x', 'y'],
    });
  });

  it('is a usage error for a dimension the schema does not have', () => {
    expect(() => attributesFrom(createSchema(['role', 'region']), { group: ['g'] })).toThrow(
      expect.objectContaining({ exitCode: 2, message: '--group: the authority\'s schema has no dimension "group" (schema: role, region)' }),
    );
    expect(() => attributesFrom(DEFAULT_SCHEMA, { attr: ['role'] })).toThrow(expect.objectContaining({ exitCode: 2, message: '--attr expected DIMENSION=VALUE[,VALUE], got "role"' }));
  });
});

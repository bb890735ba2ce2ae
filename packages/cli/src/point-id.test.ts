import fc from 'fast-check';
import { pointIdOf as storePointIdOf } from '@sealvec/qdrant';
import { describe, expect, it } from 'vitest';
import { pointIdOf } from './point-id.js';

describe('pointIdOf (the CLI\'s copy)', () => {
  it('gives exactly the point ids @sealvec/qdrant stores records under (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: 'binary' }), fc.string({ minLength: 1, maxLength: 80, unit: 'binary' }), (tenant, id) => {
        expect(pointIdOf(tenant, id)).toBe(storePointIdOf(tenant, id));
      }),
      { numRuns: process.env.SLOW ? 20_000 : 500 },
    );
    expect(pointIdOf('', 'doc-1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

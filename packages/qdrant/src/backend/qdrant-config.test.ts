/**
 * Deployment settings: option checks naming the option, the create-collection body, search
 * parameters, and the server timeout derived from the client's.
 */
import { describe, expect, it } from 'vitest';
import { checkCollectionConfig, checkConsistency, checkOrdering, createCollectionBody, searchParamsBody, serverTimeoutFor } from './qdrant-config.js';
import { checkSearchParams } from './validate.js';

describe('collection config', () => {
  it('sends nothing but the vector and metadata by default (Qdrant\'s own defaults apply)', () => {
    expect(createCollectionBody({ name: 'c', dimension: 8, distance: 'Dot', metadata: { s: 1 } }, {})).toEqual({
      vectors: { size: 8, distance: 'Dot' },
      metadata: { s: 1 },
    });
    expect(createCollectionBody({ name: 'c', dimension: 8, distance: 'Euclid' }, {}).metadata).toEqual({});
  });

  it('maps every cluster setting to Qdrant\'s field', () => {
    const cfg = checkCollectionConfig(
      {
        shardNumber: 6,
        replicationFactor: 3,
        writeConsistencyFactor: 2,
        onDiskPayload: true,
        vectorsOnDisk: true,
        hnsw: { m: 0, payload_m: 16, ef_construct: 200 },
        quantization: { scalar: { type: 'int8', quantile: 0.99, always_ram: true } },
        strictMode: { enabled: true, unindexed_filtering_retrieve: false },
        sharding: { method: 'auto' },
      },
      'options.collection',
    );
    expect(createCollectionBody({ name: 'c', dimension: 4, distance: 'Euclid' }, cfg)).toEqual({
      vectors: { size: 4, distance: 'Euclid', on_disk: true },
      metadata: {},
      shard_number: 6,
      replication_factor: 3,
      write_consistency_factor: 2,
      on_disk_payload: true,
      hnsw_config: { m: 0, payload_m: 16, ef_construct: 200 },
      quantization_config: { scalar: { type: 'int8', quantile: 0.99, always_ram: true } },
      strict_mode_config: { enabled: true, unindexed_filtering_retrieve: false },
      sharding_method: 'auto',
    });
    const custom = checkCollectionConfig({ sharding: { method: 'custom', shardsPerKey: 2 } }, 'o');
    expect(createCollectionBody({ name: 'c', dimension: 4, distance: 'Dot' }, custom).sharding_method).toBe('custom');
  });

  it('rejects bad settings naming them', () => {
    const bad: [unknown, RegExp, ErrorConstructor][] = [
      ['x', /"o" expected object/, TypeError],
      [{ shardNumber: 0 }, /"o.shardNumber"/, RangeError],
      [{ replicationFactor: 1.5 }, /"o.replicationFactor"/, TypeError],
      [{ replicationFactor: 2, writeConsistencyFactor: 3 }, /"o.writeConsistencyFactor" expected at most replicationFactor \(2\)/, RangeError],
      [{ writeConsistencyFactor: 2 }, /at most replicationFactor \(1\)/, RangeError],
      [{ onDiskPayload: 'yes' }, /"o.onDiskPayload"/, TypeError],
      [{ hnsw: [] }, /"o.hnsw"/, TypeError],
      [{ sharding: { method: 'hash' } }, /"o.sharding.method"/, TypeError],
      [{ sharding: { method: 'custom', shardsPerKey: 0 } }, /"o.sharding.shardsPerKey"/, RangeError],
      [{ shardNumber: 2, sharding: { method: 'custom' } }, /shardsPerKey/, RangeError],
    ];
    for (const [v, msg, type] of bad) {
      expect(() => checkCollectionConfig(v, 'o'), JSON.stringify(v)).toThrow(type);
      expect(() => checkCollectionConfig(v, 'o'), JSON.stringify(v)).toThrow(msg);
    }
  });

  it('checks write ordering and read consistency', () => {
    expect(checkOrdering('strong', 'o')).toBe('strong');
    expect(checkOrdering(undefined, 'o')).toBeUndefined();
    expect(() => checkOrdering('fast', 'o')).toThrow(TypeError);
    expect(checkConsistency('majority', 'o')).toBe('majority');
    expect(checkConsistency(2, 'o')).toBe(2);
    expect(() => checkConsistency(0, 'o')).toThrow(RangeError);
    expect(() => checkConsistency('most', 'o')).toThrow(TypeError);
  });
});

describe('search parameters', () => {
  it('sends nothing when nothing is set (the server default ef_construct applies)', () => {
    expect(searchParamsBody(undefined, undefined, 10)).toBeUndefined();
    expect(searchParamsBody({}, {}, 10)).toBeUndefined();
  });

  it('keeps hnsw_ef at least the limit, the request over the defaults', () => {
    expect(searchParamsBody({ hnswEf: 64 }, undefined, 10)).toEqual({ hnsw_ef: 64 });
    expect(searchParamsBody({ hnswEf: 64 }, undefined, 200)).toEqual({ hnsw_ef: 200 });
    expect(searchParamsBody({ hnswEf: 64, exact: false }, { hnswEf: 128 }, 10)).toEqual({ hnsw_ef: 128, exact: false });
    expect(searchParamsBody({ exact: false }, { exact: true }, 10)).toEqual({ exact: true });
    expect(searchParamsBody({ quantization: { rescore: true, oversampling: 2 } }, { quantization: { oversampling: 3 } }, 10)).toEqual({
      quantization: { rescore: true, oversampling: 3 },
    });
  });

  it('rejects bad search parameters naming them', () => {
    expect(() => checkSearchParams({ hnswEf: 0 }, 'p')).toThrow(/"p.hnswEf"/);
    expect(() => checkSearchParams({ exact: 1 }, 'p')).toThrow(/"p.exact"/);
    expect(() => checkSearchParams({ quantization: { oversampling: 0.5 } }, 'p')).toThrow(RangeError);
    expect(() => checkSearchParams({ quantization: { rescore: 'yes' } }, 'p')).toThrow(/"p.quantization.rescore"/);
    expect(checkSearchParams({ hnswEf: 32, exact: false, quantization: { ignore: false } }, 'p')).toEqual({ hnswEf: 32, exact: false, quantization: { ignore: false } });
  });
});

describe('server timeout', () => {
  it('stays below the client deadline, and is left out when the deadline is too short for it', () => {
    expect(serverTimeoutFor(30_000)).toBe(27);
    expect(serverTimeoutFor(2_000)).toBe(1);
    expect(serverTimeoutFor(1_000)).toBeUndefined();
    for (const ms of [1_200, 5_000, 60_000, 3_600_000]) expect((serverTimeoutFor(ms) ?? 0) * 1000).toBeLessThan(ms);
  });
});

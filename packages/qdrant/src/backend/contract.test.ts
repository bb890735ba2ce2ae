/**
 * Runs the backend contract (./__tests__/backend-contract.ts) against every backend:
 * LocalBackend in memory and persisted; QdrantBackend over the in-process stand-in in strict mode
 * (filters on unindexed fields refused, as Qdrant Cloud does by default), once with the client it
 * makes itself and once each with an injected @qdrant/js-client-rest 1.18 and 1.19 (the supported
 * range, installed side by side as aliases); and a real Qdrant when QDRANT_URL is set
 * (QDRANT_API_KEY optional), also in strict mode.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { backendContract } from './__tests__/backend-contract.js';
import { LocalBackend } from './local.js';
import { QdrantClient as QdrantClient118 } from '@qdrant/js-client-rest-1.18';
import { QdrantClient as QdrantClient119 } from '@qdrant/js-client-rest-1.19';
import { QdrantBackend } from './qdrant.js';
import { QdrantStandin, STRICT_UNINDEXED } from '../__tests__/qdrant-standin/index.js';

const fastRetry = { attempts: 3, baseMs: 1, maxMs: 5 };


backendContract('LocalBackend (memory)', {
  open: async () => new LocalBackend(),
  scoreTolerance: 1e-12,
});

let dir = '';
backendContract('LocalBackend (persisted)', {
  async open() {
    if (dir === '') dir = await mkdtemp(join(tmpdir(), 'sealvec-contract-'));
    return LocalBackend.open({ path: dir });
  },
  persistent: true,
  scoreTolerance: 1e-12,
  async cleanup() {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  },
});

const clients = {
  'its own client': (_url: string) => undefined,
  'client 1.18': (url: string) => new QdrantClient118({ url, checkCompatibility: false }),
  'client 1.19': (url: string) => new QdrantClient119({ url, checkCompatibility: false }),
};
for (const [which, make] of Object.entries(clients)) {
  let standin: QdrantStandin | undefined;
  backendContract(`QdrantBackend (${which}) -> stand-in over HTTP, strict mode`, {
    async open() {
      standin ??= await QdrantStandin.start({ strictMode: STRICT_UNINDEXED });
      const client = make(standin.url);
      return new QdrantBackend({ ...(client ? { client } : { url: standin.url }), retry: fastRetry, timeoutMs: 10_000 });
    },
    strict: true,
    scoreTolerance: 1e-12,
    async cleanup() {
      await standin?.close();
    },
  });
}

const liveUrl = process.env['QDRANT_URL'];
if (liveUrl === undefined || liveUrl === '') {
  console.log('skipping live Qdrant contract run: QDRANT_URL not set');
  describe.skip('Backend contract: QdrantBackend -> live Qdrant (QDRANT_URL not set)', () => {
    it('needs QDRANT_URL', () => undefined);
  });
} else {
  const apiKey = process.env['QDRANT_API_KEY'];
  backendContract(`QdrantBackend -> live Qdrant at ${liveUrl}, strict mode`, {
    // Not `exact`: the test collections stay below Qdrant's indexing threshold, where a search
    // is a full scan anyway, so approximate search is exercised without losing exactness.
    open: async () =>
      new QdrantBackend({
        url: liveUrl,
        ...(apiKey ? { apiKey } : {}),
        collection: { strictMode: { enabled: true, unindexed_filtering_retrieve: false, unindexed_filtering_update: false } },
        retry: { attempts: 4, baseMs: 50, maxMs: 1000 },
      }),
    strict: true,
    // Qdrant scores in float32
    scoreTolerance: 1e-4,
  });
}

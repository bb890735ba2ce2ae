/**
 * Runs the backend contract (./__tests__/backend-contract.ts) against every backend:
 * LocalBackend in memory and persisted, QdrantBackend over the in-process stand-in, and a real
 * Qdrant when QDRANT_URL is set (QDRANT_API_KEY optional).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { backendContract } from './__tests__/backend-contract.js';
import { LocalBackend } from './local.js';
import { QdrantBackend } from './qdrant.js';
import { QdrantStandin } from '../__tests__/qdrant-standin/index.js';

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

let standin: QdrantStandin | undefined;
backendContract('QdrantBackend -> stand-in over HTTP', {
  async open() {
    standin ??= await QdrantStandin.start();
    return new QdrantBackend({ url: standin.url, retry: fastRetry, timeoutMs: 10_000 });
  },
  scoreTolerance: 1e-12,
  async cleanup() {
    await standin?.close();
  },
});

const liveUrl = process.env['QDRANT_URL'];
if (liveUrl === undefined || liveUrl === '') {
  console.log('skipping live Qdrant contract run: QDRANT_URL not set');
  describe.skip('Backend contract: QdrantBackend -> live Qdrant (QDRANT_URL not set)', () => {
    it('needs QDRANT_URL', () => undefined);
  });
} else {
  const apiKey = process.env['QDRANT_API_KEY'];
  backendContract(`QdrantBackend -> live Qdrant at ${liveUrl}`, {
    open: async () =>
      new QdrantBackend({ url: liveUrl, ...(apiKey ? { apiKey } : {}), exact: true, retry: { attempts: 4, baseMs: 50, maxMs: 1000 } }),
    // Qdrant scores in float32
    scoreTolerance: 1e-4,
  });
}

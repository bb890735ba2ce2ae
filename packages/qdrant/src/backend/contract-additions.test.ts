/**
 * Runs the contract for the interface additions (./__tests__/backend-contract-additions.ts)
 * against LocalBackend in memory and persisted. QdrantBackend joins once it implements
 * setMetadata and listCollections (they are optional in ./types.ts until then).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendContractAdditions } from './__tests__/backend-contract-additions.js';
import { LocalBackend } from './local.js';

backendContractAdditions('LocalBackend (memory)', {
  open: async () => new LocalBackend(),
  scoreTolerance: 1e-12,
});

let dir = '';
backendContractAdditions('LocalBackend (persisted)', {
  async open() {
    if (dir === '') dir = await mkdtemp(join(tmpdir(), 'sealvec-additions-'));
    return LocalBackend.open({ path: dir });
  },
  persistent: true,
  scoreTolerance: 1e-12,
  async cleanup() {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  },
});

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultKeyDir, readSecretFile } from './keyfiles.js';

describe('key files', () => {
  it('resolve --keys, then SEALVEC_KEYS, then ./.sealvec/keys', () => {
    expect(defaultKeyDir({ cwd: '/w', env: { SEALVEC_KEYS: 'env' } }, 'flag')).toBe('/w/flag');
    expect(defaultKeyDir({ cwd: '/w', env: { SEALVEC_KEYS: '/abs' } })).toBe('/abs');
    expect(defaultKeyDir({ cwd: '/w', env: { SEALVEC_KEYS: '' } })).toBe('/w/.sealvec/keys');
  });

  it('warns when a key file is readable by others, and never prints its content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealvec-keyfile-'));
    try {
      writeFileSync(join(dir, 'k.key'), 'SECRET-CONTENT');
      chmodSync(join(dir, 'k.key'), 0o644);
      const stderr = new PassThrough();
      let err = '';
      stderr.on('data', (d: Buffer) => (err += d.toString()));
      expect(await readSecretFile('k.key', 'user key', { cwd: dir, stderr })).toBe('SECRET-CONTENT');
      await new Promise((r) => setImmediate(r));
      expect(err).toBe('sealvec: warning: k.key is readable by others (mode 644); run chmod 600 k.key\n');
      await expect(readSecretFile('none.key', 'user key', { cwd: dir, stderr })).rejects.toMatchObject({ exitCode: 3, message: 'cannot read user key none.key: no such file or directory' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

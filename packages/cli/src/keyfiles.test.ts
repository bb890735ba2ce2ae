import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultKeyDir, keyContext, permissionProblem, readKeyText, readSecretFile, writeKeyText } from './keyfiles.js';

function ioIn(dir: string, env: Record<string, string> = {}, prompt?: (q: string) => Promise<string>) {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { cwd: dir, stderr, env, ...(prompt ? { prompt } : {}) }, err: () => err };
}

function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealvec-keyfile-'));
  return f(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('key files', () => {
  it('resolve --keys, then SEALVEC_KEYS, then ./.sealvec/keys', () => {
    expect(defaultKeyDir({ cwd: '/w', env: { SEALVEC_KEYS: 'env' } }, 'flag')).toBe('/w/flag');
    expect(defaultKeyDir({ cwd: '/w', env: { SEALVEC_KEYS: '/abs' } })).toBe('/abs');
    expect(defaultKeyDir({ cwd: '/w', env: { SEALVEC_KEYS: '' } })).toBe('/w/.sealvec/keys');
  });

  it('the permission rule: writable by others refused always, readable refused unless allowed', () => {
    expect(permissionProblem('k', 0o100600, false)).toEqual({});
    expect(permissionProblem('k', 0o100400, false)).toEqual({});
    expect(permissionProblem('k', 0o100620, true).refuse).toMatch(/^k is writable by group or others \(mode 620\)/);
    expect(permissionProblem('k', 0o100602, true).refuse).toMatch(/writable/);
    expect(permissionProblem('k', 0o100640, false).refuse).toBe('k is readable by group or others (mode 640); run chmod 600 k, or pass --allow-readable-keys to accept it');
    expect(permissionProblem('k', 0o100604, true)).toEqual({ warn: 'k is readable by others (mode 604); accepted because of --allow-readable-keys' });
  });

  it('refuses a readable key file unless allowed, then warns; never prints its content', () =>
    withDir(async (dir) => {
      writeFileSync(join(dir, 'k.key'), 'SECRET-CONTENT');
      chmodSync(join(dir, 'k.key'), 0o644);
      const strict = ioIn(dir);
      await expect(readSecretFile('k.key', 'user key', { io: strict.io, allowReadable: false })).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/readable by group or others/) });
      const lax = ioIn(dir);
      expect(await readSecretFile('k.key', 'user key', { io: lax.io, allowReadable: true })).toBe('SECRET-CONTENT');
      await new Promise((r) => setImmediate(r));
      expect(lax.err()).toBe('sealvec: warning: k.key is readable by others (mode 644); accepted because of --allow-readable-keys\n');
      chmodSync(join(dir, 'k.key'), 0o666);
      await expect(readSecretFile('k.key', 'user key', { io: lax.io, allowReadable: true })).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/writable by group or others \(mode 666\)/) });
      expect(strict.err() + lax.err()).not.toMatch(/SECRET/);
      await expect(readSecretFile('none.key', 'user key', { io: strict.io, allowReadable: false })).rejects.toMatchObject({ exitCode: 3, message: 'cannot read user key none.key: no such file or directory' });
    }));

  it('protects a key file with a passphrase and opens it again; a wrong passphrase is one generic error', () =>
    withDir(async (dir) => {
      const env = { SEALVEC_PASSPHRASE: 'a long passphrase', SEALVEC_SCRYPT_LOG_N: '14' };
      const key = JSON.stringify({ type: 'sealvec/user-key', secret: 'SECRET-BYTES' });
      const w = ioIn(dir, env);
      await writeKeyText('u.key', key, keyContext(w.io, {}), { force: false, protect: true });
      expect(statSync(join(dir, 'u.key')).mode & 0o777).toBe(0o600);
      const stored = readFileSync(join(dir, 'u.key'), 'utf8');
      expect(stored).toMatch(/"type": "sealvec\/protected"/);
      expect(stored).not.toMatch(/SECRET/);
      expect(await readKeyText('u.key', 'user key', keyContext(ioIn(dir, env).io, {}))).toEqual({ text: key, protected: true });
      let asked = 0;
      const prompted = ioIn(dir, {}, async () => {
        asked++;
        return 'a long passphrase';
      });
      expect((await readKeyText('u.key', 'user key', keyContext(prompted.io, {}))).text).toBe(key);
      expect(asked).toBe(1);
      await expect(readKeyText('u.key', 'user key', keyContext(ioIn(dir, { SEALVEC_PASSPHRASE: 'wrong passphrase' }).io, {}))).rejects.toMatchObject({
        exitCode: 3,
        code: 'ERR_DECRYPTION_FAILED',
        message: 'u.key: wrong passphrase, or the file was altered',
      });
      await expect(readKeyText('u.key', 'user key', keyContext(ioIn(dir).io, {}))).rejects.toMatchObject({
        exitCode: 3,
        message: 'u.key needs a passphrase: set SEALVEC_PASSPHRASE, or run on a terminal to be asked',
      });
      await expect(writeKeyText('u.key', key, keyContext(w.io, {}), { force: false, protect: false })).rejects.toMatchObject({ exitCode: 2, message: 'u.key already exists; use --force to replace it' });
    }));

  it('refuses short passphrases and mismatched confirmations for new protections', () =>
    withDir(async (dir) => {
      const key = JSON.stringify({ type: 'sealvec/user-key' });
      await expect(writeKeyText('a.key', key, keyContext(ioIn(dir, { SEALVEC_PASSPHRASE: 'short' }).io, {}), { force: false, protect: true })).rejects.toMatchObject({ exitCode: 2 });
      const answers = ['first passphrase', 'second passphrase'];
      const p = ioIn(dir, { SEALVEC_SCRYPT_LOG_N: '14' }, async () => answers.shift()!);
      await expect(writeKeyText('b.key', key, keyContext(p.io, {}), { force: false, protect: true })).rejects.toMatchObject({ exitCode: 2, message: 'the two passphrases differ' });
      await expect(writeKeyText('c.key', key, keyContext(ioIn(dir, { SEALVEC_PASSPHRASE: 'long enough!', SEALVEC_SCRYPT_LOG_N: '9' }).io, {}), { force: false, protect: true })).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(/SEALVEC_SCRYPT_LOG_N expected an integer in \[14, 20\]/),
      });
    }));
});

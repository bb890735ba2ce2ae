/**
 * Replays fixtures/kat/protected-key.json (made by packages/core/scripts/gen-protected-kat.mjs):
 * valid cases must be reproduced bit for bit from their pinned inputs and open again; invalid
 * cases must be refused with the stated code. The scrypt step is also checked against Node's own
 * scrypt (an independent implementation), and the whole container is opened by hand from the
 * format's description, without this package's open path.
 */
import { scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../__tests__/arbitraries.js';
import { DecryptionFailed, SealvecError } from '../errors.js';
import { lp } from '../format/lp.js';
import { fromBase64url } from '../utils.js';
import { passphraseProvider } from './passphrase.js';
import { protectSecret, unprotectSecret } from './provider.js';

interface Valid {
  name: string;
  holds: string;
  plaintext: string;
  passphrase: string;
  scrypt: { logN: number; r: number; p: number };
  random: string;
  text: string;
}
interface Invalid {
  name: string;
  of: string;
  passphrase: string;
  text: string;
  error?: string;
  opens?: boolean;
}

const kat = JSON.parse(readFileSync(new URL('../../../../fixtures/kat/protected-key.json', import.meta.url), 'utf8')) as { valid: Valid[]; invalid: Invalid[] };

describe('protected-key.json', () => {
  it('has cases', () => {
    expect(kat.valid.length).toBeGreaterThanOrEqual(3);
    expect(kat.invalid.length).toBeGreaterThanOrEqual(10);
  });

  for (const c of kat.valid) {
    it(`reproduces "${c.name}" bit for bit and opens it`, async () => {
      const provider = passphraseProvider(c.passphrase, { scrypt: c.scrypt, testOnlyRandom: seededRandom(`${c.random}/provider`) });
      const text = await protectSecret(c.plaintext, c.holds, provider, { testOnlyRandom: seededRandom(c.random) });
      expect(text).toBe(c.text);
      const opened = await unprotectSecret(c.text, passphraseProvider(c.passphrase), { holds: c.holds });
      expect(new TextDecoder().decode(opened.plaintext)).toBe(c.plaintext);
    });

    it(`"${c.name}" opens by hand with Node's scrypt and the documented layout`, () => {
      const j = JSON.parse(c.text) as { holds: string; stanza: Record<string, string | number>; nonce: string; ciphertext: string };
      const s = j.stanza as { logN: number; r: number; p: number; salt: string; nonce: string; wrapped: string };
      const kek = scryptSync(Buffer.from(c.passphrase.normalize('NFC'), 'utf8'), fromBase64url(s.salt), 32, { N: 2 ** s.logN, r: s.r, p: s.p, maxmem: 2 ** 28 });
      const fileKey = xchacha20poly1305(new Uint8Array(kek), fromBase64url(s.nonce), lp('sealvec/scrypt/v1', String(s.logN), String(s.r), String(s.p))).decrypt(fromBase64url(s.wrapped));
      const aad: string[] = ['sealvec/protected/v1', j.holds];
      for (const k of Object.keys(j.stanza).sort()) aad.push(k, `${typeof j.stanza[k] === 'number' ? 'i' : 's'}${j.stanza[k]}`);
      const pt = xchacha20poly1305(fileKey, fromBase64url(j.nonce), lp(...aad)).decrypt(fromBase64url(j.ciphertext));
      expect(new TextDecoder().decode(pt)).toBe(c.plaintext);
    });
  }

  for (const c of kat.invalid) {
    it(`invalid: ${c.name}`, async () => {
      expect(kat.valid.some((v) => v.name === c.of)).toBe(true);
      const attempt = unprotectSecret(c.text, passphraseProvider(c.passphrase));
      if (c.opens) {
        await expect(attempt).resolves.toMatchObject({ holds: expect.any(String) });
        return;
      }
      const e = await attempt.then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(SealvecError);
      expect((e as SealvecError).code).toBe(c.error);
      if (c.error === 'ERR_DECRYPTION_FAILED') {
        // One generic failure: same class, same message, nothing attached.
        expect(e).toBeInstanceOf(DecryptionFailed);
        expect((e as Error).message).toBe('decryption failed');
        expect((e as Error).cause).toBeUndefined();
      }
    });
  }
});

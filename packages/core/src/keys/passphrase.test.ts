/**
 * The passphrase provider and the protected container: round trips, the one generic failure for
 * a wrong passphrase or any edit, limits checked before any work, and the provider contract
 * (null = not mine, DecryptionFailed = mine but refused) with a stand-in for a KMS.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecryptionFailed, InvalidKey } from '../errors.js';
import { fromBase64url, toBase64url } from '../utils.js';
import { passphraseProvider, SCRYPT_LIMITS } from './passphrase.js';
import { isProtectedText } from './protected-format.js';
import { protectedInfo, protectSecret, unprotectSecret, type KeyProvider, type KeyStanza } from './provider.js';

/** Fast parameters: the tests check behaviour, not cost. */
const FAST = { scrypt: { logN: 10, r: 1, p: 1 } };
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Error,
  );
}

describe('passphraseProvider', () => {
  it('round-trips any bytes under any passphrase (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.string({ minLength: 1, maxLength: 40 }), async (pt, pass) => {
        const sealed = await protectSecret(pt, 'sealvec/user-key', passphraseProvider(pass, FAST));
        expect(isProtectedText(sealed)).toBe(true);
        const { holds, plaintext } = await unprotectSecret(sealed, passphraseProvider(pass));
        expect(holds).toBe('sealvec/user-key');
        expect(plaintext).toEqual(pt);
      }),
      { numRuns: process.env.SLOW ? 200 : 15 },
    );
  });

  it('a wrong passphrase is the generic DecryptionFailed: no cause, no secret in the message', async () => {
    const secret = 'MASTER-SECRET-abcdef';
    const sealed = await protectSecret(secret, 'sealvec/authority', passphraseProvider('right one', FAST));
    const e = await failure(unprotectSecret(sealed, passphraseProvider('wrong one')));
    expect(e).toBeInstanceOf(DecryptionFailed);
    expect(e.message).toBe('decryption failed');
    expect(e.cause).toBeUndefined();
    expect(JSON.stringify(e) + String(e.stack)).not.toMatch(/MASTER|right one|wrong one/);
  });

  it('the stored text holds neither the plaintext nor the passphrase', async () => {
    const sealed = await protectSecret('the plaintext secret', 'sealvec/authority', passphraseProvider('hunter2-hunter2', FAST));
    expect(sealed).not.toMatch(/plaintext secret|hunter2/);
    expect(protectedInfo(sealed)).toEqual({ holds: 'sealvec/authority', provider: 'scrypt', params: { logN: 10, r: 1, p: 1 } });
  });

  it('uses scrypt logN 17, r 8, p 1 by default, and fresh salt and nonces every time', async () => {
    // The default cost is what users get; it is slow by design, so only one wrap runs here.
    const p = passphraseProvider('pass');
    const stanza = await p.wrap(new Uint8Array(32));
    expect(stanza).toMatchObject({ type: 'scrypt', logN: 17, r: 8, p: 1 });
    const a = JSON.parse(await protectSecret('x', 'sealvec/user-key', passphraseProvider('pass', FAST)));
    const b = JSON.parse(await protectSecret('x', 'sealvec/user-key', passphraseProvider('pass', FAST)));
    expect(a.stanza.salt).not.toBe(b.stanza.salt);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  }, 60_000);

  it('refuses out-of-range parameters from a caller (RangeError) and from a file (InvalidKey) before deriving', async () => {
    expect(() => passphraseProvider('x', { scrypt: { logN: 9 } })).toThrow(RangeError);
    expect(() => passphraseProvider('x', { scrypt: { logN: 20, r: 16 } })).toThrow(/more than .* bytes of memory/);
    expect(() => passphraseProvider('x', { scrypt: { p: 0 } })).toThrow(RangeError);
    const sealed = JSON.parse(await protectSecret('x', 'sealvec/user-key', passphraseProvider('pw', FAST)));
    let asked = 0;
    const counting = passphraseProvider(() => {
      asked++;
      return 'pw';
    });
    for (const [k, v] of [['logN', SCRYPT_LIMITS.maxLogN + 1], ['logN', 1.5], ['r', 0], ['p', 999], ['logN', '17']] as const) {
      const bad = JSON.stringify({ ...sealed, stanza: { ...sealed.stanza, [k]: v } });
      const e = await failure(unprotectSecret(bad, counting));
      expect(e, `${k}=${v}`).toBeInstanceOf(InvalidKey);
    }
    expect(asked).toBe(0);
  });

  it('refuses malformed stanza fields with InvalidKey', async () => {
    const sealed = JSON.parse(await protectSecret('x', 'sealvec/user-key', passphraseProvider('pw', FAST)));
    for (const edit of [{ salt: 'not base64!' }, { salt: toBase64url(new Uint8Array(8)) }, { wrapped: 12 }, { nonce: '' }, { other: 'x' }]) {
      const bad = JSON.stringify({ ...sealed, stanza: { ...sealed.stanza, ...edit } });
      expect(await failure(unprotectSecret(bad, passphraseProvider('pw'))), JSON.stringify(edit)).toBeInstanceOf(InvalidKey);
    }
  });

  it('asks for the passphrase only when a key is wrapped or unwrapped', async () => {
    let asked = 0;
    const p = passphraseProvider(async () => {
      asked++;
      return 'lazy';
    }, FAST);
    expect(asked).toBe(0);
    const sealed = await protectSecret('x', 'sealvec/user-key', p);
    expect(asked).toBe(1);
    protectedInfo(sealed);
    expect(asked).toBe(1);
    await unprotectSecret(sealed, p);
    expect(asked).toBe(2);
  });

  it('refuses an empty passphrase', async () => {
    await expect(protectSecret('x', 'sealvec/user-key', passphraseProvider('', FAST))).rejects.toThrow(RangeError);
  });
});

describe('the protected container', () => {
  it('refuses a container holding something other than expected', async () => {
    const sealed = await protectSecret('x', 'sealvec/writer-key', passphraseProvider('pw', FAST));
    const e = await failure(unprotectSecret(sealed, passphraseProvider('pw'), { holds: 'sealvec/authority' }));
    expect(e).toBeInstanceOf(InvalidKey);
    expect(e.message).toMatch(/holds a sealvec\/writer-key, expected a sealvec\/authority/);
  });

  it('refuses non-containers and oversized text with InvalidKey', async () => {
    for (const t of ['', 'null', '[]', '{"type":"sealvec/user-key"}', 'x'.repeat(7 * 1024 * 1024)]) {
      expect(isProtectedText(t)).toBe(false);
      expect(await failure(unprotectSecret(t, passphraseProvider('pw')))).toBeInstanceOf(InvalidKey);
    }
  });

  it('checks its arguments', async () => {
    const p = passphraseProvider('pw', FAST);
    await expect(protectSecret('x', 'Not A Type', p)).rejects.toThrow(TypeError);
    await expect(protectSecret('x', 'sealvec/user-key', {} as KeyProvider)).rejects.toThrow(TypeError);
    await expect(protectSecret(new Uint8Array(4 * 1024 * 1024 + 1), 'sealvec/user-key', p)).rejects.toThrow(RangeError);
  });
});

/** A stand-in for a KMS: "wraps" by XOR with a per-key pad kept in memory (tests only). */
function fakeKms(keyId: string, pad: Uint8Array, calls: string[] = []): KeyProvider {
  return {
    type: 'fake-kms',
    wrap(fileKey) {
      calls.push(`wrap ${keyId}`);
      return { type: 'fake-kms', keyId, blob: toBase64url(fileKey.map((b, i) => b ^ pad[i]!)) };
    },
    unwrap(stanza: KeyStanza) {
      calls.push(`unwrap ${keyId}`);
      if (stanza.type !== 'fake-kms' || stanza.keyId !== keyId) return null;
      if (keyId === 'disabled') throw Object.assign(new DecryptionFailed(), { cause: new Error('KMS says: key disabled, secret=xyz') });
      return fromBase64url(String(stanza.blob)).map((b, i) => b ^ pad[i]!);
    },
  };
}

describe('KeyProvider contract', () => {
  const pad = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);

  it('works with any provider; the first one that recognises the stanza opens it', async () => {
    const calls: string[] = [];
    const sealed = await protectSecret('authority secret', 'sealvec/authority', fakeKms('k2', pad, calls));
    const opened = await unprotectSecret(sealed, [passphraseProvider('pw'), fakeKms('k1', pad, calls), fakeKms('k2', pad, calls)]);
    expect(text(opened.plaintext)).toBe('authority secret');
    expect(calls).toEqual(['wrap k2', 'unwrap k1', 'unwrap k2']);
  });

  it('no provider for the stanza: InvalidKey naming the stanza type', async () => {
    const sealed = await protectSecret('x', 'sealvec/authority', fakeKms('k1', pad));
    const e = await failure(unprotectSecret(sealed, [passphraseProvider('pw'), fakeKms('other', pad)]));
    expect(e).toBeInstanceOf(InvalidKey);
    expect(e.message).toMatch(/protected with "fake-kms", and no provider for it was given \(given: scrypt, fake-kms\)/);
  });

  it('a provider refusal is rebuilt as the generic failure, dropping what the provider attached', async () => {
    const sealed = await protectSecret('x', 'sealvec/authority', fakeKms('disabled', pad));
    const e = await failure(unprotectSecret(sealed, fakeKms('disabled', pad)));
    expect(e).toBeInstanceOf(DecryptionFailed);
    expect(e.cause).toBeUndefined();
  });

  it('other provider errors (a KMS out of reach) pass through for the operator', async () => {
    const down: KeyProvider = { type: 'fake-kms', wrap: () => ({ type: 'fake-kms' }), unwrap: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const sealed = await protectSecret('x', 'sealvec/authority', fakeKms('k1', pad));
    expect((await failure(unprotectSecret(sealed, down))).message).toBe('connect ECONNREFUSED');
  });

  it('a provider that breaks the contract is a programmer error', async () => {
    const badStanza: KeyProvider = { type: 'bad', wrap: () => ({ type: 'bad', nested: {} as unknown as string }), unwrap: () => null };
    await expect(protectSecret('x', 'sealvec/authority', badStanza)).rejects.toThrow(TypeError);
    const otherType: KeyProvider = { type: 'bad', wrap: () => ({ type: 'good' }), unwrap: () => null };
    await expect(protectSecret('x', 'sealvec/authority', otherType)).rejects.toThrow(/returned a stanza of type "good"/);
    const sealed = await protectSecret('x', 'sealvec/authority', fakeKms('k1', pad));
    const shortKey: KeyProvider = { type: 'fake-kms', wrap: () => ({ type: 'fake-kms' }), unwrap: () => new Uint8Array(16) };
    await expect(unprotectSecret(sealed, shortKey)).rejects.toThrow(RangeError);
  });

  it('any edit of holds or stanza fails opening (property)', async () => {
    const sealed = JSON.parse(await protectSecret('payload', 'sealvec/authority', fakeKms('k1', pad)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('holds', 'stanza field added', 'wrapped key edited'), async (what) => {
        const j = structuredClone(sealed);
        if (what === 'holds') j.holds = 'sealvec/user-key';
        if (what === 'stanza field added') j.stanza.note = 'added';
        if (what === 'wrapped key edited') j.stanza.blob = toBase64url(fromBase64url(j.stanza.blob).map((b: number) => b ^ 1));
        expect(await failure(unprotectSecret(JSON.stringify(j), fakeKms('k1', pad)))).toBeInstanceOf(DecryptionFailed);
      }),
    );
  });
});

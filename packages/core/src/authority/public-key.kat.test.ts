/**
 * The authority public key file (`sealvec/authority-public-key`, docs/format.md section 2): a
 * known answer for a pinned master (the master of fixtures/kat/policy-header.json, bytes
 * 0x40 + i), recomputed here without this package (Node's HKDF and Ed25519), then the import
 * rules: what a reader is given to verify schemes must be exactly this, and anything else is
 * InvalidKey.
 */
import { createPrivateKey, createPublicKey, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import { InvalidKey } from '../errors.js';
import { authorityFromMaster, createWriterKey, issueUserKey, rotateEpoch } from './authority.js';
import { exportUserKey, exportWriterKey, importUserKey, importWriterKey } from './serialize.js';
import { AuthorityPublicKey, exportAuthorityPublicKey, importAuthorityPublicKey, verifyWriterCertificate } from './signing.js';

const MASTER = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);

/** The exact file text for MASTER (2-space JSON, keys in this order, no trailing newline). */
const KNOWN = `{
  "type": "sealvec/authority-public-key",
  "version": 1,
  "id": "9efc3bee6871ad14",
  "publicKey": "O9IT9ppoiS_cjzG5iR_9yIFfSOUCq-bYFTTImN0n_Q8"
}`;

/** lp() and HKDF as docs/format.md describes them, on Node's own primitives. */
function hkdf(ikm: Uint8Array, label: string, context: string[], length: number): Buffer {
  const lp = (...fields: string[]) =>
    Buffer.concat(
      fields.map((f) => {
        const b = Buffer.from(f, 'utf8');
        const n = Buffer.alloc(4);
        n.writeUInt32BE(b.length);
        return Buffer.concat([n, b]);
      }),
    );
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.from('sealvec/v1'), lp(label, ...context), length));
}

describe('the authority public key file (known answer)', () => {
  const a = authorityFromMaster(MASTER);

  it('is reproduced bit for bit from the pinned master', () => {
    expect(exportAuthorityPublicKey(a.publicKey)).toBe(KNOWN);
  });

  it('matches an independent derivation: id = hex(HKDF(master, key-id, "authority")), A = Ed25519(HKDF(master, authority/sign))', () => {
    const id = hkdf(MASTER, 'sealvec/v1/key-id', ['authority'], 8).toString('hex');
    const seed = hkdf(MASTER, 'sealvec/v2/authority/sign', [], 32);
    // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    const x = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x;
    expect(JSON.parse(KNOWN)).toEqual({ type: 'sealvec/authority-public-key', version: 1, id, publicKey: x });
  });

  it('is the same file whichever key it is taken from, at any epoch; it verifies their certificates', () => {
    const later = rotateEpoch(a);
    const w = createWriterKey(later, { tenant: 'acme' });
    const u = issueUserKey(later, { role: ['r'] }, { tenant: 'acme' });
    expect(exportAuthorityPublicKey(later.publicKey)).toBe(KNOWN);
    expect(exportAuthorityPublicKey(importWriterKey(exportWriterKey(w)).authorityKey!)).toBe(KNOWN);
    expect(exportAuthorityPublicKey(importUserKey(exportUserKey(u)).authorityKey!)).toBe(KNOWN);
    const k = importAuthorityPublicKey(KNOWN);
    expect(k).toBeInstanceOf(AuthorityPublicKey);
    expect(k.id).toBe('9efc3bee6871ad14');
    expect(k.publicKey).toEqual(a.publicKey.publicKey);
    const cert = Buffer.from(JSON.parse(exportWriterKey(w)).certificate as string, 'base64url');
    expect(verifyWriterCertificate(k, 'acme', 2, w.publicKey, cert)).toBe(true);
    expect(verifyWriterCertificate(k, 'other', 2, w.publicKey, cert)).toBe(false);
  });

  it('imports from any JSON layout of the same fields (the file is parsed, not compared as text)', () => {
    const o = JSON.parse(KNOWN) as Record<string, unknown>;
    expect(exportAuthorityPublicKey(importAuthorityPublicKey(JSON.stringify(o)))).toBe(KNOWN);
    expect(exportAuthorityPublicKey(importAuthorityPublicKey(`\n${KNOWN}\n`))).toBe(KNOWN);
  });

  it('refuses every kind of bad file with InvalidKey (TypeError for a non-string argument)', () => {
    const edit = (f: (o: Record<string, unknown>) => void) => {
      const o = JSON.parse(KNOWN) as Record<string, unknown>;
      f(o);
      return JSON.stringify(o);
    };
    const bad: [string, string][] = [
      ['not JSON', '{"type":'],
      ['an array', '[]'],
      ['null', 'null'],
      ['another type', edit((o) => (o.type = 'sealvec/authority'))],
      ['version 2', edit((o) => (o.version = 2))],
      ['version as a string', edit((o) => (o.version = '1'))],
      ['an extra field', edit((o) => (o.master = 'AAAA'))],
      ['no id', edit((o) => delete o.id)],
      ['an upper-case id', edit((o) => (o.id = '9EFC3BEE6871AD14'))],
      ['a short id', edit((o) => (o.id = '9efc3bee'))],
      ['no public key', edit((o) => delete o.publicKey)],
      ['a short public key', edit((o) => (o.publicKey = 'O9IT9ppoiS_cjzG5iR_9yIFfSOUCq-bYFTTImN0n'))],
      ['a padded public key', edit((o) => (o.publicKey = `${String(o.publicKey)}=`))],
      ['a public key that is not base64url', edit((o) => (o.publicKey = 'O9IT9ppoiS/cjzG5iR+9yIFfSOUCq-bYFTTImN0n_Q8'))],
      ['a numeric public key', edit((o) => (o.publicKey = 5))],
      ['too long', KNOWN + ' '.repeat(4096)],
    ];
    for (const [name, text] of bad) expect(() => importAuthorityPublicKey(text), name).toThrow(InvalidKey);
    expect(() => importAuthorityPublicKey(5 as never)).toThrow(TypeError);
  });

  it('random text gives InvalidKey, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (t) => {
        expect(() => importAuthorityPublicKey(t)).toThrow(InvalidKey);
      }),
      { numRuns: numRuns(200) },
    );
  });
});

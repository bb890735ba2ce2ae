// Generates fixtures/kat/protected-key.json from the built package (run
// `pnpm -F @sealvec/core build` first):
//   node packages/core/scripts/gen-protected-kat.mjs
// Every input is pinned: passphrase, plaintext, scrypt parameters, and all randomness (file key,
// salt, nonces) from the test-only random source below. The checks are in
// packages/core/src/keys/protected.kat.test.ts. Regenerate only on a deliberate format change,
// and say so in the commit.
import { writeFileSync } from 'node:fs';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64url, passphraseProvider, protectSecret, toBase64url } from '../dist/index.js';

/** Must match seededRandom in packages/core/src/__tests__/arbitraries.ts. */
function seededRandom(seed) {
  const key = sha256(new TextEncoder().encode(seed));
  let call = 0;
  return (n) => {
    const nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setUint32(8, call++, false);
    return chacha20(key, nonce, new Uint8Array(n));
  };
}

const VALID = [
  {
    name: 'user key, ASCII passphrase',
    holds: 'sealvec/user-key',
    plaintext: '{"type":"sealvec/user-key","version":1,"note":"a stand-in for a serialized key"}',
    passphrase: 'correct horse battery staple',
    scrypt: { logN: 10, r: 8, p: 1 },
    random: 'protected-kat/1',
  },
  {
    name: 'key backup, non-ASCII passphrase (NFC)',
    holds: 'sealvec/key-backup',
    plaintext: '{"type":"sealvec/key-backup","version":1,"files":{}}',
    passphrase: 'Grüße, Jürgen \u2764 \u00e9t\u00e9',
    scrypt: { logN: 11, r: 4, p: 2 },
    random: 'protected-kat/2',
  },
  {
    name: 'empty plaintext',
    holds: 'sealvec/authority',
    plaintext: '',
    passphrase: 'x',
    scrypt: { logN: 10, r: 1, p: 1 },
    random: 'protected-kat/3',
  },
];

const valid = [];
for (const c of VALID) {
  const provider = passphraseProvider(c.passphrase, { scrypt: c.scrypt, testOnlyRandom: seededRandom(`${c.random}/provider`) });
  const text = await protectSecret(c.plaintext, c.holds, provider, { testOnlyRandom: seededRandom(c.random) });
  valid.push({ ...c, text });
}

const base = valid[0];
const o = () => JSON.parse(base.text);
const edit = (f) => {
  const j = o();
  f(j);
  return JSON.stringify(j, null, 2);
};
const flipLast = (b64) => {
  const b = fromBase64url(b64);
  b[b.length - 1] ^= 1;
  return toBase64url(b);
};
const invalid = [
  { name: 'wrong passphrase', of: base.name, passphrase: 'correct horse battery stapler', text: base.text, error: 'ERR_DECRYPTION_FAILED' },
  { name: 'the NFD form of a passphrase opens what its NFC form sealed', of: valid[1].name, passphrase: valid[1].passphrase.normalize('NFD'), text: valid[1].text, opens: true },
  { name: 'ciphertext edited', of: base.name, text: edit((j) => (j.ciphertext = flipLast(j.ciphertext))), error: 'ERR_DECRYPTION_FAILED' },
  { name: 'holds edited', of: base.name, text: edit((j) => (j.holds = 'sealvec/authority')), error: 'ERR_DECRYPTION_FAILED' },
  { name: 'nonce edited', of: base.name, text: edit((j) => (j.nonce = flipLast(j.nonce))), error: 'ERR_DECRYPTION_FAILED' },
  { name: 'stanza cost lowered', of: base.name, text: edit((j) => (j.stanza.r = 4)), error: 'ERR_DECRYPTION_FAILED' },
  { name: 'stanza salt edited', of: base.name, text: edit((j) => (j.stanza.salt = flipLast(j.stanza.salt))), error: 'ERR_DECRYPTION_FAILED' },
  { name: 'wrapped file key edited', of: base.name, text: edit((j) => (j.stanza.wrapped = flipLast(j.stanza.wrapped))), error: 'ERR_DECRYPTION_FAILED' },
  { name: 'a stanza field added', of: base.name, text: edit((j) => (j.stanza.extra = 'x')), error: 'ERR_INVALID_KEY' },
  { name: 'scrypt cost above the reader\'s limit', of: base.name, text: edit((j) => (j.stanza.logN = 21)), error: 'ERR_INVALID_KEY' },
  { name: 'scrypt memory above the reader\'s limit', of: base.name, text: edit((j) => ((j.stanza.logN = 20), (j.stanza.r = 16))), error: 'ERR_INVALID_KEY' },
  { name: 'unknown version', of: base.name, text: edit((j) => (j.version = 2)), error: 'ERR_INVALID_KEY' },
  { name: 'unknown container field', of: base.name, text: edit((j) => (j.comment = 'hi')), error: 'ERR_INVALID_KEY' },
  { name: 'short nonce', of: base.name, text: edit((j) => (j.nonce = j.nonce.slice(0, 8))), error: 'ERR_INVALID_KEY' },
  { name: 'no provider for the stanza type', of: base.name, text: edit((j) => (j.stanza.type = 'aws-kms')), error: 'ERR_INVALID_KEY' },
];

const out = {
  description:
    'Known answers for passphrase-protected secrets (sealvec/protected v1, scrypt stanza). See fixtures/kat/README.md.',
  valid,
  invalid: invalid.map((c) => ({ passphrase: base.passphrase, ...c })),
};
writeFileSync(new URL('../../../fixtures/kat/protected-key.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${valid.length} valid and ${invalid.length} invalid cases`);

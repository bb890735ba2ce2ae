/**
 * Issue #9, finding 4: no oracle in errors or in the header work.
 * - Every way an open can fail is the same DecryptionFailed: same name, message and code, and
 *   no `cause` (a cause told "not for me" from "tampered").
 * - A corrupt key file yields InvalidKey whose message, cause chain and inspect output hold no
 *   part of the secret (a JSON syntax error quotes the text around the fault).
 * - Unwrapping a header does the same header work whether or not a locator matches.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createWriterKey, generateAuthority, issueUserKey } from '../authority/authority.js';
import { userMaterial } from '../authority/keys.js';
import { exportAuthority, exportUserKey, exportWriterKey, importAuthority, importUserKey, importWriterKey } from '../authority/serialize.js';
import { DecryptionFailed, InvalidKey } from '../errors.js';
import { checkBinding } from '../header/binding.js';
import { decodeHeader } from '../header/format.js';
import { unwrapDecoded, wrapDataKey } from '../header/wrap.js';
import { exportVectorKey, generateVectorKey, importVectorKey, VectorKeyset } from '../keys/vector-key.js';
import { createPolicy } from '../policy/policy.js';
import { DEFAULT_SCHEMA } from '../policy/schema.js';
import { randomBytes } from '../utils.js';
import { createVectorCipher } from '../vector/cipher.js';
import { createOpener } from './open.js';
import { createSealer } from './seal.js';

const authority = generateAuthority();
const writer = createWriterKey(authority);
const cipher = createVectorCipher(generateVectorKey(), { dimension: 8, metric: 'cosine', beta: 1, collection: 'docs' });
const sealer = createSealer({ writer, cipher });
const opener = createOpener({ cipher });
const alice = issueUserKey(authority, { role: ['hr'] });
const rec = sealer.seal({ id: 'r1', vector: [1, 2, 3, 4, 5, 6, 7, 8], payload: { body: 'genuine' }, policy: 'role=hr,admin' });

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('no oracle in errors (issue #9, finding 4)', () => {
  it('"not for me", every kind of tampering and a forged signature fail identically, with no cause', () => {
    const flip = (b: Uint8Array, i: number) => Uint8Array.from(b, (v, j) => (j === i ? v ^ 1 : v));
    const failures = [
      () => opener.open(rec, issueUserKey(authority, { role: ['nobody'] })),
      () => opener.open(rec, issueUserKey(generateAuthority(), { role: ['hr'] })),
      () => opener.open({ ...rec, payload: flip(rec.payload, 30) }, alice),
      () => opener.open({ ...rec, exact: flip(rec.exact!, 40) }, alice),
      () => opener.open({ ...rec, header: flip(rec.header, 40) }, alice),
      () => opener.open({ ...rec, tag: flip(rec.tag, 0) }, alice),
      () => opener.open({ ...rec, signature: flip(rec.signature!, 3) }, alice),
      () => opener.open({ ...rec, id: 'r2' }, alice),
      () => opener.open({ ...rec, kid: 'ffffffffffffffff' }, alice),
    ];
    const shapes = new Set<string>();
    for (const f of failures) {
      const e = errorOf(f);
      expect(e).toBeInstanceOf(DecryptionFailed);
      expect(e.cause).toBeUndefined();
      expect(Object.keys(e).sort()).toEqual(['code', 'name']);
      shapes.add(`${e.name}|${e.message}|${(e as DecryptionFailed).code}`);
    }
    expect([...shapes]).toEqual(['DecryptionFailed|decryption failed|ERR_DECRYPTION_FAILED']);
  });

  it('a corrupt key file of any kind gives InvalidKey with no part of the secret anywhere', () => {
    const texts: [(t: string) => unknown, string, string[]][] = [
      [importAuthority, exportAuthority(authority), ['master']],
      [importWriterKey, exportWriterKey(writer), ['secret', 'blindIndexRoot']],
      [importUserKey, exportUserKey(issueUserKey(authority, { role: ['a'] }, { blindIndexFields: ['f'] })), ['tupleKeys']],
    ];
    for (const [importer, text, fields] of texts) {
      for (const field of fields) {
        const secret = JSON.parse(text)[field] as string;
        const corruptions = [
          text.replace(`"${secret}"`, secret), // quotes lost: a JSON syntax error right inside the secret
          text.replace(`"${secret}"`, `"${secret.slice(0, 20)}\u0001${secret.slice(20)}"`), // a control character in it
          text.replace(`"${secret}"`, `"${secret}!"`), // not base64url
          text.replace(`"${secret}"`, `"${secret}AA"`), // the wrong length
          text.slice(0, text.indexOf(secret) + 25), // truncated inside it
        ];
        for (const bad of corruptions) {
          const e = errorOf(() => importer(bad));
          expect(e).toBeInstanceOf(InvalidKey);
          expect(e.cause).toBeUndefined();
          const shown = `${inspect(e, { depth: 10, showHidden: true })}\n${e.message}\n${String(e.stack)}`;
          for (let i = 0; i + 6 <= secret.length; i += 6) expect(shown).not.toContain(secret.slice(i, i + 6));
        }
      }
    }
  });

  it('vector key and keyset files: the same', () => {
    const key = generateVectorKey();
    const secret = exportVectorKey(key).split(':')[1]!;
    const keysetText = VectorKeyset.create(key).export();
    for (const [f, bad] of [
      [importVectorKey, `sealvec-vector-key-v1:${secret.slice(0, 30)}!${secret.slice(31)}`],
      [(t: string) => VectorKeyset.import(t), keysetText.replace(`"sealvec-vector-key-v1:${secret}"`, `sealvec-vector-key-v1:${secret}`)],
    ] as const) {
      const e = errorOf(() => f(bad));
      expect(e).toBeInstanceOf(InvalidKey);
      expect(e.cause).toBeUndefined();
      const shown = inspect(e, { depth: 10, showHidden: true });
      for (let i = 0; i + 6 <= secret.length; i += 6) expect(shown).not.toContain(secret.slice(i, i + 6));
    }
  });
});

describe('the same header work whether or not a locator matches (issue #9, finding 4)', () => {
  it('without a hint, unwrap computes the locator of every tuple the key holds, matched or not', () => {
    const policy = createPolicy(DEFAULT_SCHEMA, { role: ['hr'] });
    const b = checkBinding({ recordId: 'r', collection: 'docs' });
    const h = decodeHeader(wrapDataKey(randomBytes(32), policy, writer, b, { minEntries: 4 }));
    const count = (attrs: Record<string, string[]>) => {
      const key = issueUserKey(authority, attrs);
      let calls = 0;
      for (const m of userMaterial(key)) {
        const inner = m.locator;
        (m as { locator: typeof inner }).locator = (msg) => {
          calls++;
          return inner(msg);
        };
      }
      const got = unwrapDecoded(h, b, key);
      return { calls, tuples: key.tuples.length, opened: got !== null };
    };
    // Same number of tuples (one role, one group, one department each), one opens, one does not.
    const yes = count({ role: ['hr'], group: ['g'], department: ['d'] });
    const no = count({ role: ['zz'], group: ['g'], department: ['d'] });
    expect([yes.opened, no.opened]).toEqual([true, false]);
    expect(yes.calls).toBe(yes.tuples);
    expect(no.calls).toBe(no.tuples);
  });
});

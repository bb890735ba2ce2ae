import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../__tests__/arbitraries.js';
import { authorityFromMaster, createWriterKey, generateAuthority, rotateEpoch } from '../authority/authority.js';
import { exportWriterKey, importWriterKey } from '../authority/serialize.js';
import { InvalidKey, Malformed, SchemeMismatch, SchemeUnauthenticated, SealvecError, WeakScheme } from '../errors.js';
import { BETA_FLOOR, PRESETS } from '../vector/presets.js';
import { checkBetaFloor, parseScheme, relativeBeta, schemeToJSON, signScheme, verifyScheme, type SchemeFields } from './scheme.js';

const authority = authorityFromMaster(new Uint8Array(32).fill(7));
const writer = createWriterKey(authority, { tenant: 'acme' });
const fields: SchemeFields = {
  collection: 'docs',
  dimension: 384,
  metric: 'cosine',
  beta: 1,
  preset: 'balanced',
  scale: null,
  maxNorm: null,
  authority: authority.id,
  prefilter: false,
  blindIndexFields: ['lang'],
  exactVector: true,
  legacyKids: [],
};
const signed = signScheme(fields, writer);
const json = () => JSON.parse(JSON.stringify(schemeToJSON(signed))) as Record<string, unknown>;
const verifyJson = (j: unknown, collection = 'docs', trust = authority.publicKey) => {
  const s = parseScheme(collection, j);
  if (s.version !== 2) throw new Error('expected v2');
  verifyScheme(s, collection, trust);
  return s;
};

describe('signed schemes (issue #9, finding 1)', () => {
  it('round-trips through JSON and verifies with the authority public key, from any tenant or epoch', () => {
    const s = verifyJson(json());
    expect(s.beta).toBe(1);
    expect(s.creator.tenant).toBe('acme');
    // A reader of another epoch verifies it too (the certificate comes from the authority).
    const later = rotateEpoch(authority);
    expect(() => verifyJson(json(), 'docs', later.publicKey)).not.toThrow();
  });

  it('every edit of any field by the store is refused (beta, tokens, blind indexes, ...)', () => {
    const edits: [string, (o: Record<string, unknown>) => void][] = [
      ['beta to 0', (o) => (o.beta = 0)],
      ['beta halved', (o) => (o.beta = 0.5)],
      ['pre-filter switched on', (o) => (o.prefilter = true)],
      ['a blind-index field added', (o) => (o.blindIndexFields = ['lang', 'ssn'])],
      ['blind indexes removed', (o) => (o.blindIndexFields = [])],
      ['exact vector off', (o) => (o.exactVector = false)],
      ['preset renamed', (o) => (o.preset = 'fast')],
      ['dimension', (o) => ((o.dimension = 385), (o.storedDimension = 385))],
      ['metric', (o) => (o.metric = 'euclid')],
      ['legacy kids added', (o) => (o.legacyKids = ['0123456789abcdef'])],
      ['collection renamed', (o) => (o.collection = 'other')],
      ['creator epoch', (o) => ((o.creator as Record<string, unknown>).epoch = 2)],
      ['creator tenant', (o) => ((o.creator as Record<string, unknown>).tenant = 'evil')],
      ['signature', (o) => (o.signature = (o.signature as string).replace(/^./, (c) => (c === 'A' ? 'B' : 'A')))],
    ];
    for (const [name, edit] of edits) {
      const j = json();
      edit(j);
      let code = 'accepted';
      try {
        verifyJson(j);
      } catch (e) {
        code = (e as SealvecError).code;
      }
      expect(['ERR_SCHEME_UNAUTHENTICATED', 'ERR_MALFORMED'], name).toContain(code);
    }
  });

  it('a scheme of another collection or another authority is refused', () => {
    expect(() => verifyJson(json(), 'other-collection')).toThrow(SchemeUnauthenticated);
    const other = generateAuthority();
    expect(() => verifyJson(json(), 'docs', other.publicKey)).toThrow(SchemeUnauthenticated);
    // Another authority's writer signing a scheme that claims our authority id.
    const forged = signScheme({ ...fields, authority: other.id }, createWriterKey(other));
    const j = schemeToJSON(forged);
    j.authority = authority.id;
    expect(() => verifyJson(JSON.parse(JSON.stringify(j)))).toThrow(SchemeUnauthenticated);
  });

  it('random edits of the metadata give a coded error or the untouched scheme, never a different one', () => {
    const base = JSON.stringify(json());
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.integer({ min: 32, max: 126 }), (i, c) => {
        const text = base.slice(0, i) + String.fromCharCode(c) + base.slice(i + 1);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return;
        }
        try {
          const s = verifyJson(parsed);
          expect(schemeToJSON(s)).toEqual(schemeToJSON(signed));
        } catch (e) {
          expect(e).toBeInstanceOf(SealvecError);
        }
      }),
      { numRuns: numRuns(300) },
    );
  });

  it('a writer key without a certificate (key format v1) cannot sign a scheme', () => {
    const o = JSON.parse(exportWriterKey(writer));
    o.version = 1;
    delete o.authorityKey;
    delete o.certificate;
    expect(() => signScheme(fields, importWriterKey(JSON.stringify(o)))).toThrow(InvalidKey);
    expect(() => signScheme({ ...fields, authority: generateAuthority().id }, writer)).toThrow(SchemeMismatch);
  });

  it('a v2 scheme whose preset is neither a string nor null is Malformed, not read as null', () => {
    // Signed with no preset (beta given): the signature covers '' for null, so reading a number,
    // boolean or object as null would let the store put anything there unnoticed.
    const j0 = schemeToJSON(signScheme({ ...fields, preset: null }, writer));
    expect(verifyJson(JSON.parse(JSON.stringify(j0))).preset).toBeNull();
    for (const preset of [5, 0, false, true, {}, [], ['balanced']]) {
      const j = JSON.parse(JSON.stringify(j0)) as Record<string, unknown>;
      j.preset = preset;
      expect(() => parseScheme('docs', j), JSON.stringify(preset)).toThrow(Malformed);
    }
    const missing = JSON.parse(JSON.stringify(j0)) as Record<string, unknown>;
    delete missing.preset;
    expect(() => parseScheme('docs', missing)).toThrow(Malformed);
  });

  it('v1 metadata parses as an unauthenticated v1 scheme; anything else is not a scheme', () => {
    const v1 = { sealvec: 1, dimension: 4, storedDimension: 4, metric: 'cosine', beta: 1, preset: 'balanced', maxNorm: null, authority: authority.id, prefilter: true, blindIndexFields: [], exactVector: true };
    const s = parseScheme('c', v1);
    expect(s.version).toBe(1);
    expect(s.collection).toBe('c');
    expect(() => parseScheme('c', {})).toThrow(SchemeMismatch);
    expect(() => parseScheme('c', { sealvec: 3 })).toThrow(SchemeMismatch);
    expect(() => parseScheme('c', { ...v1, beta: -1 })).toThrow(Malformed);
    expect(() => parseScheme('c', { ...v1, blindIndexFields: ['__proto__'] })).toThrow(Malformed);
    expect(() => parseScheme('c', null)).toThrow(SchemeMismatch);
  });
});

describe('the client-side beta floor', () => {
  it('is the smallest preset, relative to the data scale', () => {
    expect(BETA_FLOOR).toBe(Math.min(...Object.values(PRESETS).map((p) => p.betaRel)));
    expect(relativeBeta({ ...fields, metric: 'dot', beta: 2, maxNorm: 4 })).toBe(0.5);
    expect(relativeBeta({ ...fields, metric: 'euclid', beta: 3, scale: 6 })).toBe(0.5);
    expect(relativeBeta({ ...fields, metric: 'euclid', beta: 3, scale: null })).toBeNull();
  });
  it('refuses a weaker scheme unless the caller lowers the floor explicitly', () => {
    expect(() => checkBetaFloor({ ...fields, beta: BETA_FLOOR / 2 })).toThrow(WeakScheme);
    expect(() => checkBetaFloor({ ...fields, beta: 0 }, 0)).not.toThrow();
    expect(() => checkBetaFloor({ ...fields, beta: BETA_FLOOR / 2 }, BETA_FLOOR / 4)).not.toThrow();
    expect(() => checkBetaFloor({ ...fields, metric: 'euclid', scale: null })).toThrow(WeakScheme);
    expect(() => checkBetaFloor(fields, -1)).toThrow(TypeError);
  });
});

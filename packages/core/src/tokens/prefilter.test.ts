import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns, worldArb } from '../__tests__/arbitraries.js';
import { createWriterKey, generateAuthority, issueUserKey, rotateEpoch } from '../authority/authority.js';
import { userSecrets } from '../authority/keys.js';
import { evaluate } from '../policy/evaluate.js';
import { createPolicy } from '../policy/policy.js';
import { toBase64url } from '../utils.js';
import { PREFILTER_TOKEN_LENGTH, policyPrefilterTokens, userPrefilterTokens } from './prefilter.js';

describe('pre-filter tokens', () => {
  it('a user token appears among a record policy\'s tokens exactly when evaluate allows', () => {
    fc.assert(
      fc.property(worldArb({ min: 1, max: 4 }, { min: 1, max: 4 }), ({ schema, policies, users }) => {
        const a = generateAuthority({ schema });
        const w = createWriterKey(a);
        for (const p of policies) {
          const rec = new Set(policyPrefilterTokens(w, p, 'c'));
          for (const u of users) {
            const mine = userPrefilterTokens(issueUserKey(a, u), 'c');
            expect(mine.some((t) => rec.has(t))).toBe(evaluate(u, p));
          }
        }
      }),
      { numRuns: numRuns(40) },
    );
  });

  it('are 22-character base64url strings, sorted, one per tuple', () => {
    const a = generateAuthority();
    const w = createWriterKey(a);
    const t = policyPrefilterTokens(w, createPolicy(a.schema, { role: ['a', 'b'], group: ['g'] }), 'c');
    expect(t).toHaveLength(2);
    for (const x of t) expect(x).toMatch(new RegExp(`^[A-Za-z0-9_-]{${PREFILTER_TOKEN_LENGTH}}$`));
    expect(t.slice().sort()).toEqual(t);
    expect(userPrefilterTokens(issueUserKey(a, { role: ['a'] }), 'c')).toHaveLength(2);
  });

  it('differ per collection, epoch, tenant and authority', () => {
    const a = generateAuthority();
    const p = createPolicy(a.schema, { role: ['a'] });
    const base = policyPrefilterTokens(createWriterKey(a), p, 'c')[0];
    expect(policyPrefilterTokens(createWriterKey(a), p, 'd')[0]).not.toBe(base);
    expect(policyPrefilterTokens(createWriterKey(rotateEpoch(a)), p, 'c')[0]).not.toBe(base);
    expect(policyPrefilterTokens(createWriterKey(a, { tenant: 't' }), p, 'c')[0]).not.toBe(base);
    expect(policyPrefilterTokens(createWriterKey(generateAuthority()), p, 'c')[0]).not.toBe(base);
    expect(policyPrefilterTokens(createWriterKey(a), p, 'c')[0]).toBe(base);
  });

  it('do not contain tuple-key bytes', () => {
    const a = generateAuthority();
    const u = issueUserKey(a, { role: ['a'] });
    const tokens = userPrefilterTokens(u, '').join('');
    for (const k of userSecrets(u).tupleKeys) expect(tokens).not.toContain(toBase64url(k).slice(0, 8));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributesArb, numRuns, policyArb, schemaArb } from '../__tests__/arbitraries.js';
import { InvalidPolicy, SealvecError } from '../errors.js';
import { MAX_POLICY_TEXT_LENGTH } from '../format/constants.js';
import {
  formatAttributes,
  formatPolicy,
  parseAttributes,
  parseAttributesString,
  parsePolicy,
  parsePolicyJSON,
  parsePolicyString,
} from './parse.js';
import { attributesToJSON, canonicalPolicyString, policyToJSON } from './policy.js';
import { DEFAULT_SCHEMA } from './schema.js';

const S = DEFAULT_SCHEMA;

describe('parsing policies', () => {
  it('reads the CLI syntax and JSON into the same canonical policy', () => {
    const want = { role: ['admin', 'hr_manager'], group: ['team_hr'], department: ['human_resources'] };
    const inputs = [
      'roles=hr_manager,admin;groups=team_hr;departments=human_resources',
      ' role = admin , hr_manager ; group=team_hr ; department=human_resources ',
      '{"roles":["hr_manager","admin"],"groups":["team_hr"],"departments":["human_resources"]}',
    ];
    for (const t of inputs) expect(policyToJSON(parsePolicy(S, t))).toEqual(want);
    expect(policyToJSON(parsePolicyJSON(S, { roles: ['hr_manager', 'admin'], group: 'team_hr', department: ['human_resources'] }))).toEqual(want);
  });

  it('has an explicit open policy and unconstrained dimensions', () => {
    expect(policyToJSON(parsePolicyString(S, '*'))).toEqual({ role: ['*'], group: ['*'], department: ['*'] });
    expect(policyToJSON(parsePolicyString(S, 'role=*;group=g'))).toEqual({ role: ['*'], group: ['g'], department: ['*'] });
    expect(formatPolicy(parsePolicyString(S, '*'))).toBe('*');
  });

  it('rejects empty, malformed and ambiguous input with InvalidPolicy', () => {
    const bad = ['', '   ', 'admin', 'role', 'role=', 'role=a,,b', 'role=a;', 'team=x', 'role=a;roles=b', 'role=a=b', '{"role":', '{"role":"*"}', 'role=a;;group=b', '[1]'];
    for (const t of bad) expect(() => parsePolicy(S, t), t).toThrow(InvalidPolicy);
    expect(() => parsePolicy(S, 'x'.repeat(MAX_POLICY_TEXT_LENGTH + 1))).toThrow(InvalidPolicy);
    expect(() => parsePolicy(S, 42)).toThrow(InvalidPolicy);
    expect(() => parseAttributesString(S, 'role=*')).toThrow(InvalidPolicy);
  });

  it('formatPolicy output parses back to the same policy (CLI and JSON)', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => policyArb(s)),
        (p) => {
          expect(canonicalPolicyString(parsePolicy(p.schema, formatPolicy(p)))).toBe(canonicalPolicyString(p));
          expect(canonicalPolicyString(parsePolicy(p.schema, canonicalPolicyString(p)))).toBe(canonicalPolicyString(p));
        },
      ),
      { numRuns: numRuns(100) },
    );
  });

  it('formatAttributes output parses back to the same attributes', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => attributesArb(s)),
        (a) => {
          expect(attributesToJSON(parseAttributes(a.schema, formatAttributes(a)))).toEqual(attributesToJSON(a));
        },
      ),
      { numRuns: numRuns(100) },
    );
    expect(attributesToJSON(parseAttributes(S, ''))).toEqual({ role: [], group: [], department: [] });
  });

  it('random text gives a policy or InvalidPolicy, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.constantFrom('role=', 'group=a,b;', '{"role":[')), (t) => {
        try {
          parsePolicy(S, t);
        } catch (e) {
          expect(e).toBeInstanceOf(SealvecError);
          expect((e as SealvecError).code).toBe('ERR_INVALID_POLICY');
        }
      }),
      { numRuns: numRuns(300) },
    );
  });
});

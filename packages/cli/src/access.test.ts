import { generateAuthority, issueUserKey, userPrefilterTokens } from '@sealvec/core';
import { diagnose } from '@sealvec/qdrant';
import { describe, expect, it } from 'vitest';
import { accessHint, FileAccessFacts, headerFacts, noAccess } from './access.js';

const authority = generateAuthority();
const user = issueUserKey(authority, { role: ['analyst'] });
const file = { collection: 'docs', authority: authority.id, tenant: '' };

describe('file access facts', () => {
  it('counts epochs, key ids and token matches as the records go by', () => {
    const f = new FileAccessFacts(user, 'docs', true);
    const mine = userPrefilterTokens(user, 'docs')[0]!;
    f.add({ epoch: 1, kid: 'k1', prefilter: ['zzz'] });
    f.add({ epoch: 1, kid: 'k1', prefilter: [mine] });
    f.add({ epoch: 2, kid: 'k2' });
    expect(f.facts(file, ['k1'])).toMatchObject({ totalRecords: 3, sampleEpochs: [1, 2], sampleKids: ['k1', 'k2'], keyEpochRecords: 2, tokenMatches: 1 });
    expect(new FileAccessFacts(user, 'docs', false).facts(file, []).tokenMatches).toBeNull();
  });

  it('a stale key on a rewrapped file: exit 6, the reason, and what to do', () => {
    const f = new FileAccessFacts(user, 'docs', true);
    f.add({ epoch: 2, kid: 'k1', prefilter: ['zzz'] });
    const e = noAccess('alice.key', diagnose(f.facts(file, ['k1'])), { file: 'docs.sealed' });
    expect(e).toMatchObject({ exitCode: 6, code: 'ERR_NO_ACCESS', reason: 'stale-epoch' });
    expect(e.message).toMatch(/^alice\.key opens nothing: the key is for epoch 1, but the records .* are at epoch 2 .*; ask the operator for a key of the current epoch/);
  });

  it('a key of another authority is diagnosed from the header alone', () => {
    const d = diagnose(headerFacts(issueUserKey(generateAuthority(), { role: ['x'] }), file, []));
    expect(d.reason).toBe('wrong-authority');
    expect(accessHint(d, { file: 'f' })).toMatch(/authority that sealed the records/);
    expect(accessHint({ ...d, reason: 'future-epoch' }, { file: 'f.sealed' })).toMatch(/sealvec rewrap -i f\.sealed -o f\.sealed/);
    expect(accessHint({ ...d, reason: 'ok' }, {})).toBe('');
  });
});

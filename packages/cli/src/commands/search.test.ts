import { describe, expect, it } from 'vitest';
import { parseWhere } from './search.js';

describe('parseWhere', () => {
  it('reads values as JSON when they parse, else as text', () => {
    expect(parseWhere(['status="open"', 'year=2020', 'ok=true', 'name=Ada Lovelace', 'eq=a=b'])).toEqual({
      status: 'open',
      year: 2020,
      ok: true,
      name: 'Ada Lovelace',
      eq: 'a=b',
    });
  });

  it('is a usage error without a field, or with a field twice', () => {
    expect(() => parseWhere(['=x'])).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => parseWhere(['novalue'])).toThrow(expect.objectContaining({ exitCode: 2, message: '--where expected FIELD=VALUE, got "novalue"' }));
    expect(() => parseWhere(['a=1', 'a=2'])).toThrow(expect.objectContaining({ message: '--where gives a twice' }));
  });
});

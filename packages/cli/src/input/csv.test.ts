import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CsvParser, likelyDelimiter, readCsv, typedCell, vectorFromCell } from './csv.js';
import { bufferSource } from './source.js';
import { all, rows } from './test-support.js';

const src = (text: string, name = 'd.csv', chunks?: number | number[]) => bufferSource(name, text, chunks);

describe('CsvParser', () => {
  it('parses quoted fields with delimiters, doubled quotes and newlines, and CRLF', () => {
    const p = new CsvParser('x.csv', ',');
    const out = [...p.feed('a,"b,1","say ""hi""\r\nthere"\r\n,,\n'), ...p.end()];
    expect(out).toEqual([
      { fields: ['a', 'b,1', 'say "hi"\r\nthere'], line: 1 },
      { fields: ['', '', ''], line: 3 },
    ]);
  });

  it('round-trips any table through RFC 4180 quoting, whatever the chunking (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', ' ', 'é') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 7 }), (table, step) => {
        const quote = (f: string) => `"${f.replace(/"/g, '""')}"`;
        const text = table.map((r) => r.map(quote).join(',')).join('\n') + '\n';
        const p = new CsvParser('p.csv', ',');
        const got = [];
        for (let i = 0; i < text.length; i += step) got.push(...p.feed(text.slice(i, i + step)));
        got.push(...p.end());
        expect(got.map((r) => r.fields)).toEqual(table);
      }),
      { numRuns: process.env.SLOW ? 1000 : 100 },
    );
  });

  it('rejects an unclosed quote and text after a closing quote', () => {
    const p = new CsvParser('x.csv', ',');
    p.feed('a,"open\n');
    expect(() => p.end()).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED', message: 'x.csv:1: a quoted field is not closed before the end of the file' }));
    expect(() => new CsvParser('x.csv', ',').feed('"a"b,c\n')).toThrow(
      expect.objectContaining({ message: 'x.csv:1: unexpected character after a closing quote' }),
    );
  });
});

describe('vectorFromCell', () => {
  it('reads JSON arrays and numbers separated by spaces, commas or semicolons', () => {
    for (const cell of ['[1, 2.5, -3]', '1 2.5 -3', '1,2.5,-3', ' 1; 2.5 ;-3 ']) {
      expect(Array.from(vectorFromCell(cell, 'w', 'vector')), cell).toEqual([1, 2.5, -3]);
    }
  });

  it('names the bad value', () => {
    expect(() => vectorFromCell('1 x 3', 'd.csv:4', 'emb')).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED', message: 'd.csv:4: column "emb" value 1 ("x") is not a number' }));
    expect(() => vectorFromCell('1 nan 3', 'd.csv:4', 'emb')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_VECTOR', message: 'd.csv:4: vector has a non-finite value NaN at index 1' }));
    expect(() => vectorFromCell('-inf 1', 'd.csv:4', 'emb')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_VECTOR', message: 'd.csv:4: vector has a non-finite value -Infinity at index 0' }));
    expect(() => vectorFromCell('  ', 'd.csv:4', 'emb')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_VECTOR', message: 'd.csv:4: column "emb" is empty' }));
  });
});

describe('readCsv', () => {
  it('maps the id, vector and policy columns; other columns become the payload', async () => {
    const text = 'id,title,embedding,policy\n' + 'a,"Hello, world","[1,2]",role=x\n' + ',plain,3 4,\n';
    const recs = await all(readCsv(src(text, 'd.csv', 5), ','));
    expect(recs.map((r) => [r.id, r.where, r.payload, r.policy])).toEqual([
      ['a', 'd.csv:2', { title: 'Hello, world' }, 'role=x'],
      ['1', 'd.csv:3', { title: 'plain' }, undefined],
    ]);
    expect(rows(recs)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('reads TSV and honours --vector-column and --id-column', async () => {
    const recs = await all(readCsv(src('key\tv\n k1 \t0.5 0.25\n', 'd.tsv'), '\t', { vectorColumn: 'v', idColumn: 'key' }));
    expect(recs.map((r) => [r.id, Array.from(r.vector)])).toEqual([['k1', [0.5, 0.25]]]);
  });

  it('rejects a missing vector column, a short row and a wrong dimension, naming the line', async () => {
    await expect(all(readCsv(src('id,text\n1,a\n'), ','))).rejects.toMatchObject({
      code: 'ERR_MALFORMED',
      message: 'd.csv:1: no vector column (looked for vector, embedding, embeddings, values; name it with --vector-column)',
    });
    await expect(all(readCsv(src('id,vector\n1,1 2\n2\n'), ','))).rejects.toMatchObject({ message: 'd.csv:3: row has 1 fields, the header has 2' });
    await expect(all(readCsv(src('vector\n1 2\n1 2 3\n'), ','))).rejects.toMatchObject({
      code: 'ERR_DIMENSION_MISMATCH',
      message: 'd.csv:3: vector has dimension 3, expected 2 as in the first record (d.csv:2)',
    });
    await expect(all(readCsv(src('vector\n1 2\n'), ',', { vectorColumn: 'emb' }))).rejects.toMatchObject({
      message: 'd.csv:1: no column named "emb" for the vector (columns: vector)',
    });
  });
});

describe('typed columns and the delimiter hint', () => {
  it('types only the named columns, by the --where rule: JSON numbers and true/false, else the string', async () => {
    const text = 'id,year,zip,flag,vector\nr0,2020,02139,true,"[1,2]"\nr1, 2021 ,1e3,no,"[3,4]"\nr2,07,-1.5,false,"[5,6]"\n';
    const got = await all(readCsv(src(text), ',', { typedColumns: ['year', 'flag', 'zip'] }));
    expect(got.map((r) => r.payload)).toEqual([
      { year: 2020, zip: '02139', flag: true },
      { year: 2021, zip: 1000, flag: 'no' },
      { year: '07', zip: -1.5, flag: false },
    ]);
    const untyped = await all(readCsv(src(text), ','));
    expect(untyped[0]!.payload).toEqual({ year: '2020', zip: '02139', flag: 'true' });
  });

  it('typedCell keeps anything that is not a JSON number or boolean as it was (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const v = typedCell(s);
        if (typeof v === 'string') expect(v).toBe(s);
        else if (typeof v === 'number') expect(JSON.parse(s.trim())).toBe(v);
        else expect(String(v)).toBe(s.trim());
      }),
    );
  });

  it('suggests the delimiter a one-column header seems to use', async () => {
    expect(likelyDelimiter(['id;vector;n'], ',')).toBe(';');
    expect(likelyDelimiter(['id\tvector'], ',')).toBe('\t');
    expect(likelyDelimiter(['id,vector'], ';')).toBe(',');
    expect(likelyDelimiter(['idvector'], ',')).toBeUndefined();
    expect(likelyDelimiter(['id', 'x;y'], ',')).toBeUndefined();
    await expect(all(readCsv(src('id\tvector\nr0\t1 2\n'), ','))).rejects.toThrow(/is the file tab-separated\? try --delimiter '\\t'/);
  });
});

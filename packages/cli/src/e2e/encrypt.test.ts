/**
 * End to end, on the built binary: `encrypt` from every input format (and stdin/stdout), with one
 * and two threads, checked by `decrypt`; every kind of bad input with its exact exit code and
 * message; and an interrupted run leaving nothing behind.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decrypted, fvecsBytes, jsonl, npyBytes, requireBuilt, sealvec, start, tempDir, vectors, write } from './helpers.js';

let dir: string;
let cleanup: () => void;
const D = 8;
const N = 40;
const data = vectors(N, D, 7);

const sv = (args: string[], input?: string | Buffer) => sealvec(args, { cwd: dir, ...(input !== undefined ? { input } : {}) });

/** Decrypts `file` with alice's key and checks every vector came back bit for bit, in order. */
async function expectRoundTrip(file: string, ids: string[], rows: readonly ArrayLike<number>[] = data) {
  const r = await sv(['decrypt', '-i', file, '--key', 'alice.key']);
  expect(r.code, r.stderr).toBe(0);
  const got = decrypted(r.stdout);
  expect([...got.keys()]).toEqual(ids);
  ids.forEach((id, i) => expect(Float32Array.from(got.get(id)!.vector), id).toEqual(Float32Array.from(rows[i]!)));
  return got;
}

beforeAll(async () => {
  requireBuilt();
  ({ dir, cleanup } = tempDir());
  expect((await sv(['init', '--quiet'])).code).toBe(0);
  expect((await sv(['keys', 'issue', '--role', 'analyst', '-o', 'alice.key'])).code).toBe(0);
  expect((await sv(['keys', 'issue', '--role', 'intern', '-o', 'bob.key'])).code).toBe(0);
});
afterAll(() => cleanup());

describe('encrypt: every input format round-trips through decrypt', () => {
  const ids = data.map((_, i) => String(i));

  it('JSONL with ids, payloads and per-record policies', async () => {
    write(dir, 'in.jsonl', jsonl(data, (i) => ({ id: `doc-${i}`, payload: { n: i, text: `é ${i}` }, ...(i % 2 ? { policy: 'role=analyst' } : {}) })));
    const r = await sv(['encrypt', '-i', 'in.jsonl', '-o', 'jsonl.sealed', '--policy', 'role=analyst,intern']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Sealed 40 records \(cosine, dimension 8, preset balanced\) to jsonl\.sealed in [\d.]+ s\n$/);
    const got = await expectRoundTrip('jsonl.sealed', data.map((_, i) => `doc-${i}`));
    expect(got.get('doc-3')!.payload).toEqual({ n: 3, text: 'é 3' });
    // bob (intern) reads only the records without their own analyst-only policy.
    const bob = await sv(['decrypt', '-i', 'jsonl.sealed', '--key', 'bob.key', '--json']);
    expect(bob.code).toBe(0);
    expect([...decrypted(bob.stdout).keys()]).toEqual(data.map((_, i) => `doc-${i}`).filter((_, i) => i % 2 === 0));
    expect(JSON.parse(bob.stderr)).toEqual({ records: 40, opened: 20, denied: 20, unknownKey: 0 });
  });

  it('a JSON array', async () => {
    write(dir, 'in.json', JSON.stringify(data.map((v, i) => ({ id: i, vector: Array.from(v) })), null, 1));
    expect((await sv(['encrypt', '-i', 'in.json', '-o', 'json.sealed', '--policy', 'role=analyst'])).code).toBe(0);
    await expectRoundTrip('json.sealed', ids);
  });

  it('.npy float32 and float64', async () => {
    write(dir, 'f4.npy', npyBytes(data, '<f4'));
    write(dir, 'f8.npy', npyBytes(data, '<f8'));
    for (const f of ['f4.npy', 'f8.npy']) {
      const r = await sv(['encrypt', '-i', f, '-o', `${f}.sealed`, '--policy', 'role=analyst']);
      expect(r.code, r.stderr).toBe(0);
      await expectRoundTrip(`${f}.sealed`, ids);
    }
  });

  it('.fvecs, with an id prefix and the euclid metric', async () => {
    write(dir, 'in.fvecs', fvecsBytes(data));
    const r = await sv(['encrypt', '-i', 'in.fvecs', '-o', 'fvecs.sealed', '--policy', 'role=analyst', '--metric', 'euclid', '--id-prefix', 'v']);
    expect(r.code, r.stderr).toBe(0);
    await expectRoundTrip('fvecs.sealed', data.map((_, i) => `v${i}`));
    const header = JSON.parse(readFileSync(join(dir, 'fvecs.sealed'), 'utf8').split('\n')[0]!) as { scheme: { metric: string; beta: number } };
    expect(header.scheme.metric).toBe('euclid');
    expect(header.scheme.beta).toBeGreaterThan(0);
  });

  it('CSV with a JSON-array column and TSV with space-separated numbers', async () => {
    write(dir, 'in.csv', 'id,title,embedding\n' + data.map((v, i) => `${i},"t, ${i}","${JSON.stringify(Array.from(v))}"`).join('\n') + '\n');
    write(dir, 'in.tsv', 'vector\tid\n' + data.map((v, i) => `${Array.from(v).join(' ')}\t${i}`).join('\n') + '\n');
    for (const f of ['in.csv', 'in.tsv']) {
      const r = await sv(['encrypt', '-i', f, '-o', `${f}.sealed`, '--policy', 'role=analyst']);
      expect(r.code, r.stderr).toBe(0);
      const got = await expectRoundTrip(`${f}.sealed`, ids);
      if (f === 'in.csv') expect(got.get('5')!.payload).toEqual({ title: 't, 5' });
    }
  });

  it('stdin to stdout (format sniffed), and --json results', async () => {
    const r = await sv(['encrypt', '-i', '-', '-o', '-', '--policy', 'role=analyst', '--json'], jsonl(data, (i) => ({ id: String(i) })));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^\{"type":"sealvec\/sealed-jsonl"/);
    expect(JSON.parse(r.stderr)).toMatchObject({ output: '-', records: 40, collection: 'default', scheme: { dimension: 8 } });
    write(dir, 'stdout.sealed', r.stdout);
    await expectRoundTrip('stdout.sealed', ids);
  });

  it('--threads 2 gives the same records in the same order', async () => {
    const many = vectors(700, D, 9);
    write(dir, 'many.fvecs', fvecsBytes(many));
    const r = await sv(['encrypt', '-i', 'many.fvecs', '-o', 'many.sealed', '--policy', 'role=analyst', '--threads', '2']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(dir, 'many.sealed'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(701);
    expect(lines.slice(1).map((l) => (JSON.parse(l) as { payload: { id: string } }).payload.id)).toEqual(many.map((_, i) => String(i)));
    await expectRoundTrip('many.sealed', many.map((_, i) => String(i)), many);
  });

  it('piped: progress as plain log lines on stderr (never redraws), none with --quiet', async () => {
    const r = await sealvec(['encrypt', '-i', 'in.fvecs', '-o', 'p.sealed', '--policy', '*'], { cwd: dir, env: { SEALVEC_PROGRESS_INTERVAL: '0' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^sealvec: encrypt: \d+ records, [\d.k]+\/s/m);
    expect(r.stderr).not.toMatch(/\r|\x1b/);
    const q = await sealvec(['encrypt', '-i', 'in.fvecs', '-o', 'q.sealed', '--policy', '*', '--quiet'], { cwd: dir, env: { SEALVEC_PROGRESS_INTERVAL: '0' } });
    expect(q.stderr).toBe('');
    const none = await sealvec(['encrypt', '-i', 'in.fvecs', '-o', 'q.sealed', '--policy', '*', '--progress', 'none'], { cwd: dir, env: { SEALVEC_PROGRESS_INTERVAL: '0' } });
    expect(none.stderr).not.toMatch(/records, /);
  });
});

describe('encrypt: bad inputs fail with exact codes and messages, writing nothing', () => {
  /** Runs encrypt expecting failure; checks no output and no temp file was left. */
  async function fails(input: string, code: number, message: RegExp | string, extra: string[] = []) {
    const out = `out-${Math.random().toString(36).slice(2)}.sealed`;
    const r = await sv(['encrypt', '-i', input, '-o', out, '--policy', 'role=analyst', ...extra]);
    expect(r.code, r.stderr).toBe(code);
    if (typeof message === 'string') expect(r.stderr).toBe(`sealvec: error: ${message}\n`);
    else expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, out))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    return r;
  }

  it('a truncated .npy', async () => {
    const b = npyBytes(data);
    write(dir, 'trunc.npy', b.subarray(0, b.length - 10));
    await fails('trunc.npy', 5, 'trunc.npy:row 40: truncated (the header declares 40 rows of 8 float32, the file holds 10 bytes too few)');
  });

  it('an .fvecs with the wrong dimension in row 3', async () => {
    write(dir, 'bad.fvecs', fvecsBytes(data.slice(0, 5), [8, 8, 9, 8, 8]));
    await fails('bad.fvecs', 5, 'bad.fvecs:row 3: vector has dimension 9, expected 8 as in the first record (bad.fvecs:row 1)');
  });

  it('NaN in JSONL (as Python writes it) and in .npy', async () => {
    const text = jsonl(data).split('\n');
    text[4] = text[4]!.replace(/\[[^,]+,/, '[NaN,');
    write(dir, 'nan.jsonl', text.join('\n'));
    await fails('nan.jsonl', 5, 'nan.jsonl:5: non-finite number (NaN or Infinity) in the record; vectors must be finite');
    const rows = data.map((v) => Array.from(v));
    rows[2]![3] = Number.NaN;
    write(dir, 'nan.npy', npyBytes(rows));
    await fails('nan.npy', 5, 'nan.npy:row 3: vector has a non-finite value NaN at index 3');
  });

  it('malformed JSONL at line 57', async () => {
    const lines = jsonl(vectors(80, D, 3)).split('\n');
    lines[56] = lines[56]!.slice(0, 30);
    write(dir, 'bad.jsonl', lines.join('\n'));
    await fails('bad.jsonl', 5, /^sealvec: error: bad\.jsonl:57: malformed JSON \(.+\)\n$/);
  });

  it('a missing input file, an empty input and an unknown format', async () => {
    await fails('nope.jsonl', 5, 'cannot read nope.jsonl: no such file or directory');
    write(dir, 'empty.jsonl', '\n\n');
    await fails('empty.jsonl', 5, 'empty.jsonl: no records');
    write(dir, 'data.parquet', 'PAR1');
    await fails('data.parquet', 2, 'cannot tell the format of data.parquet (use --format jsonl|json|npy|fvecs|csv|tsv)');
  });

  it('a bad policy, or a record without one', async () => {
    await fails('in.fvecs', 3, /^sealvec: error: policy: unknown dimension "colour"/, ['--policy', 'colour=red']);
    const r = await sv(['encrypt', '-i', 'in.fvecs', '-o', 'nopolicy.sealed']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `sealvec: error: in.fvecs:row 1: record has no policy and no --policy was given (use --policy '*' to let every key holder of the authority open it)\n`,
    );
  });

  it('a bad record policy on a worker thread is reported with its line', async () => {
    write(dir, 'badpolicy.jsonl', jsonl(vectors(400, D, 4), (i) => ({ id: `p${i}`, ...(i === 299 ? { policy: 'colour=red' } : {}) })));
    await fails('badpolicy.jsonl', 3, /^sealvec: error: badpolicy\.jsonl:300: policy: unknown dimension "colour"/, ['--threads', '2']);
  });

  it('an unwritable output', async () => {
    const r = await sv(['encrypt', '-i', 'in.fvecs', '-o', 'no/such/dir/out.sealed', '--policy', '*']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('sealvec: error: cannot write no/such/dir/out.sealed: no such file or directory\n');
    const r2 = await sv(['encrypt', '-i', 'in.fvecs', '-o', 'in.fvecs/out.sealed', '--policy', '*']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toBe('sealvec: error: cannot write in.fvecs/out.sealed: a parent is not a directory\n');
  });

  it('errors as JSON with --json', async () => {
    const r = await sv(['encrypt', '-i', 'nope.jsonl', '-o', 'x.sealed', '--policy', '*', '--json']);
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stderr)).toEqual({ error: { code: 'ERR_INPUT_FILE', exit: 5, message: 'cannot read nope.jsonl: no such file or directory' } });
  });
});

describe('decrypt: wrong keys', () => {
  it('a key of another authority, and a key that opens nothing', async () => {
    const other = await sv(['init', '--keys', 'k2', '--quiet']);
    expect(other.code).toBe(0);
    expect((await sv(['keys', 'issue', '--keys', 'k2', '--role', 'analyst', '-o', 'mallory.key'])).code).toBe(0);
    const r = await sv(['decrypt', '-i', 'json.sealed', '--key', 'mallory.key', '-o', 'x.jsonl']);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(
      /^sealvec: error: mallory\.key opens nothing: the key belongs to authority [0-9a-f]{16}, but collection "default" is sealed for authority [0-9a-f]{16}; use a key issued by the authority that sealed the records\n$/,
    );
    const bob = await sv(['decrypt', '-i', 'json.sealed', '--key', 'bob.key', '-o', 'x.jsonl', '--json']);
    expect(bob.code).toBe(6);
    expect(JSON.parse(bob.stderr)).toEqual({
      error: {
        code: 'ERR_NO_ACCESS',
        exit: 6,
        reason: 'no-matching-tuple',
        message: expect.stringMatching(/^bob\.key opens nothing: none of the 40 records of collection "default" is sealed for a policy this key satisfies \(the key holds 2 attribute tuples at epoch 1\); /),
      },
    });
    expect(existsSync(join(dir, 'x.jsonl'))).toBe(false);
    const notSealed = await sv(['decrypt', '-i', 'in.jsonl', '--key', 'alice.key']);
    expect(notSealed.code).toBe(5);
    expect(notSealed.stderr).toBe('sealvec: error: in.jsonl:1: not a sealed file (expected "type": "sealvec/sealed-jsonl")\n');
    const missingKey = await sv(['decrypt', '-i', 'json.sealed', '--key', 'carol.key']);
    expect(missingKey.code).toBe(3);
    expect(missingKey.stderr).toBe('sealvec: error: cannot read user key carol.key: no such file or directory\n');
  });
});

describe('an interrupted run leaves no partial output', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal}`, async () => {
      const out = `interrupted-${signal}.sealed`;
      const child = start(['encrypt', '-i', '-', '--format', 'jsonl', '-o', out, '--policy', '*'], { cwd: dir });
      const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, sig) => res({ code, signal: sig })));
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      // 300 records (more than one batch), then keep stdin open: the run is mid-write.
      child.stdin!.write(jsonl(vectors(300, D, 5)));
      const tempOf = () => readdirSync(dir).find((f) => f.startsWith(`.${out}.`) && f.endsWith('.tmp'));
      const deadline = Date.now() + 20_000;
      while (!(tempOf() && statSync(join(dir, tempOf()!)).size > 0)) {
        if (Date.now() > deadline) throw new Error(`no temp output appeared; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill(signal);
      const res = await closed;
      expect(res.code).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(existsSync(join(dir, out))).toBe(false);
      expect(tempOf()).toBeUndefined();
    });
  }
});

/**
 * End to end, on the built binary: the sealed .npy pair (`-o X.npy`). encrypt writes it (one and
 * two threads) and every command that reads sealed files reads it (decrypt, ingest, inspect,
 * rewrap -i, rotate -i, converting to and from sealed JSONL); every kind of bad pair fails with
 * its exit code and message and writes or stores nothing; an interrupted write leaves no file.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decrypted, fvecsBytes, jsonl, requireBuilt, sealvec, start, tempDir, vectors, write } from './helpers.js';

let dir: string;
let cleanup: () => void;
const D = 12;
const N = 300;
const data = vectors(N, D, 21);
const ids = data.map((_, i) => `v${i}`);

const sv = (args: string[], input?: string) => sealvec(args, { cwd: dir, ...(input !== undefined ? { input } : {}) });
const file = (name: string) => readFileSync(join(dir, name));
const temps = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/** Decrypts with alice's key; every vector must come back bit for bit, in order. */
async function opened(input: string, rows: readonly Float32Array[] = data, want: readonly string[] = ids) {
  const r = await sv(['decrypt', '-i', input, '--key', 'alice.key']);
  expect(r.code, r.stderr).toBe(0);
  const got = decrypted(r.stdout);
  expect([...got.keys()]).toEqual(want);
  want.forEach((id, i) => expect(Float32Array.from(got.get(id)!.vector), id).toEqual(rows[i]));
  return r.stdout;
}

beforeAll(async () => {
  requireBuilt();
  ({ dir, cleanup } = tempDir());
  expect((await sv(['init', '--quiet'])).code).toBe(0);
  expect((await sv(['keys', 'issue', '--role', 'analyst', '-o', 'alice.key', '--quiet'])).code).toBe(0);
  write(dir, 'in.fvecs', fvecsBytes(data));
});
afterAll(() => cleanup());

describe('encrypt -o X.npy writes a sealed .npy pair that every sealed-file reader reads', () => {
  it('one and two threads give the same records as sealed JSONL', async () => {
    const r = await sv(['encrypt', '-i', 'in.fvecs', '-o', 'p.npy', '--policy', 'role=analyst', '--id-prefix', 'v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Sealed 300 records \(cosine, dimension 12, preset balanced\) to p\.npy \+ p\.jsonl in [\d.]+ s\n$/);
    const npy = file('p.npy');
    expect(npy.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    expect(npy.toString('latin1', 10, 128)).toMatch(/'shape': \(300, 12\)/);
    expect(npy.length).toBe(128 + N * D * 4);
    const side = file('p.jsonl').toString('utf8').trim().split('\n');
    expect(side).toHaveLength(N + 1);
    expect(JSON.parse(side[0]!)).toMatchObject({ type: 'sealvec/sealed-npy', npy: { rows: N, storedDimension: D, dtype: '<f4' } });
    expect(side.slice(1).map((l) => (JSON.parse(l) as { payload: { id: string } }).payload.id)).toEqual(ids);

    const two = await sv(['encrypt', '-i', 'in.fvecs', '-o', 'p2.npy', '--policy', 'role=analyst', '--id-prefix', 'v', '--threads', '2', '--json']);
    expect(two.code, two.stderr).toBe(0);
    expect(JSON.parse(two.stdout)).toMatchObject({ output: 'p2.npy', format: 'npy', files: ['p2.npy', 'p2.jsonl'], records: N });
    expect(await sv(['encrypt', '-i', 'in.fvecs', '-o', 'p.sealed.jsonl', '--policy', 'role=analyst', '--id-prefix', 'v']).then((x) => x.code)).toBe(0);

    const plain = await opened('p.npy');
    expect(await opened('p.jsonl')).toBe(plain);
    expect(await opened('p2.npy')).toBe(plain);
    expect(await opened('p.sealed.jsonl')).toBe(plain);
    expect(temps()).toEqual([]);
  });

  it('inspect reads the pair', async () => {
    const r = await sv(['inspect', 'p.npy', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: 'p.npy', format: 'npy', records: N, exactVector: N });
    const one = await sv(['inspect', 'p.jsonl', '--record', 'v7']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^p\.jsonl:9\n *id +"v7"/);
  });

  it('ingest stores the pair as is (found from the .npy or the sidecar), and a search finds it', async () => {
    const r = await sv(['ingest', '-i', 'p.npy', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: N, stored: N, failed: [], created: true });
    const again = await sv(['ingest', '-i', 'p.jsonl', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ records: N, stored: N, created: false });
    write(dir, 'q.json', JSON.stringify(Array.from(data[5]!)));
    const s = await sv(['search', '--key', 'alice.key', '--query-file', 'q.json', '-k', '1', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect((JSON.parse(s.stdout) as { hits: { id: string }[] }).hits[0]!.id).toBe('v5');
  });

  it('rewrap -i X.npy -o X.npy and rotate convert between the two forms', async () => {
    expect((await sv(['keys', 'rotate', '--quiet'])).code).toBe(0);
    expect((await sv(['keys', 'issue', '--role', 'analyst', '-o', 'alice.key', '--force', '--quiet'])).code).toBe(0);
    const rw = await sv(['rewrap', '-i', 'p.npy', '-o', 'p.npy', '--json']);
    expect(rw.code, rw.stderr).toBe(0);
    expect(JSON.parse(rw.stdout)).toMatchObject({ records: N, rewrapped: N, epoch: 2 });
    await opened('p.npy');
    const toJsonl = await sv(['rotate', '-i', 'p.npy', '-o', 'r.jsonl', '--json']);
    expect(toJsonl.code, toJsonl.stderr).toBe(0);
    expect(file('r.jsonl').toString('utf8').slice(0, 40)).toMatch(/^\{"type":"sealvec\/sealed-jsonl"/);
    const toPair = await sv(['rotate', '-i', 'r.jsonl', '-o', 'r2.npy']);
    expect(toPair.code, toPair.stderr).toBe(0);
    expect(await opened('r2.npy')).toBe(await opened('r.jsonl'));
    expect(temps()).toEqual([]);
  });
});

describe('a bad pair fails with its exit code and message, and nothing is written or stored', () => {
  /** Copies p.npy / p.jsonl to NAME.npy / NAME.jsonl, editing either. */
  function pair(name: string, edit: { npy?: (b: Buffer) => Buffer; side?: (lines: string[]) => string[] } = {}) {
    writeFileSync(join(dir, `${name}.npy`), (edit.npy ?? ((b) => b))(file('p.npy')));
    writeFileSync(join(dir, `${name}.jsonl`), (edit.side ?? ((l) => l))(file('p.jsonl').toString('utf8').split('\n')).join('\n'));
  }
  async function fails(input: string, code: number, message: string) {
    const d = await sv(['decrypt', '-i', input, '--key', 'alice.key', '-o', 'out.jsonl']);
    expect(d.code, d.stderr).toBe(code);
    expect(d.stderr).toBe(`sealvec: error: ${message}\n`);
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
    const i = await sv(['ingest', '-i', input, '--store', 'bad-store', '--json']);
    expect(i.code, i.stderr).toBe(code);
    const c = await sv(['collections', '--store', 'bad-store', '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toBe('');
    const rw = await sv(['rewrap', '-i', input, '-o', 'rw.npy']);
    expect(rw.code, rw.stderr).toBe(code);
    expect(existsSync(join(dir, 'rw.npy')) || existsSync(join(dir, 'rw.jsonl'))).toBe(false);
    expect(temps()).toEqual([]);
  }

  it('a truncated .npy', async () => {
    pair('trunc', { npy: (b) => b.subarray(0, b.length - 100) });
    await fails('trunc.npy', 5, 'trunc.npy:row 298: truncated (the header declares 300 rows of 12 float32, the file holds 100 bytes too few)');
  });

  it('row counts that differ', async () => {
    pair('rows', { npy: (b) => Buffer.concat([Buffer.from(b.toString('latin1', 0, 128).replace('(300, 12)', '(299, 12)'), 'latin1'), b.subarray(128, b.length - 48)]) });
    await fails('rows.npy', 5, 'rows.npy holds 299 rows, its sidecar rows.jsonl declares 300 (files from two different writes?)');
  });

  it('a wrong dimension', async () => {
    pair('dim', { npy: (b) => Buffer.concat([Buffer.from(b.toString('latin1', 0, 128).replace('(300, 12)', '(400, 9) '), 'latin1'), b.subarray(128)]) });
    await fails('dim.npy', 5, 'dim.npy: rows have 9 values, the scheme in dim.jsonl stores 12');
  });

  it('a sidecar without its .npy, and a sealed .npy without its sidecar', async () => {
    write(dir, 'lonely.jsonl', file('p.jsonl'));
    await fails('lonely.jsonl', 5, 'lonely.jsonl is the sidecar of lonely.npy, which cannot be read: no such file or directory');
    write(dir, 'single.npy', file('p.npy'));
    const d = await sv(['decrypt', '-i', 'single.npy', '--key', 'alice.key']);
    expect(d.code).toBe(5);
    expect(d.stderr).toBe('sealvec: error: single.npy: a sealed .npy is read with its sidecar single.jsonl, which cannot be read: no such file or directory\n');
  });

  it('a mixed pair (same shape, rows of another run)', async () => {
    write(dir, 'mixed.npy', file('p2.npy'));
    write(dir, 'mixed.jsonl', file('p.jsonl'));
    await fails(
      'mixed.npy',
      5,
      'mixed.npy does not match its sidecar mixed.jsonl: the SHA-256 of its rows differs from the one the sidecar records (a pair mixed by an interrupted write, or files from two different runs)',
    );
  });

  it('a pair cannot come from stdin, and -o X.npy never replaces a .jsonl that is not a sidecar', async () => {
    const r = await sv(['decrypt', '-i', '-', '--key', 'alice.key'], file('p.jsonl').toString('utf8'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('sealvec: error: a sealed .npy pair cannot be read from stdin: give the path of its .npy (or of its sidecar)\n');
    write(dir, 'data.jsonl', jsonl(data.slice(0, 3)));
    const clobber = await sv(['encrypt', '-i', 'data.jsonl', '-o', 'data.npy', '--policy', '*']);
    expect(clobber.code).toBe(2);
    expect(clobber.stderr).toBe('sealvec: error: data.npy is written with its sidecar data.jsonl, which exists and is not a sealed .npy sidecar: move it away or choose another -o\n');
    expect(file('data.jsonl').toString('utf8')).toBe(jsonl(data.slice(0, 3)));
    expect(existsSync(join(dir, 'data.npy'))).toBe(false);
  });
});

describe('an interrupted pair write leaves neither file', () => {
  it('on SIGINT', async () => {
    const child = start(['encrypt', '-i', '-', '--format', 'jsonl', '-o', 'cut.npy', '--policy', '*'], { cwd: dir });
    const closed = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin!.write(jsonl(vectors(600, D, 5)));
    const tempsOf = () => readdirSync(dir).filter((f) => f.startsWith('.cut.') && f.endsWith('.tmp'));
    const deadline = Date.now() + 30_000;
    while (!(tempsOf().length === 2 && tempsOf().every((f) => statSync(join(dir, f)).size > 128))) {
      if (Date.now() > deadline) throw new Error(`no temp outputs appeared; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(existsSync(join(dir, 'cut.npy'))).toBe(false);
    expect(existsSync(join(dir, 'cut.jsonl'))).toBe(false);
    expect(tempsOf()).toEqual([]);
  });
});

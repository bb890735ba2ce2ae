import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createSealer, createVectorCipher, createWriterKey, generateAuthority, signScheme, VectorKeyset, type SealedRecord } from '@sealvec/core';
import { pointIdOf } from '@sealvec/qdrant';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../io.js';
import { SealedEncoder } from '../output/sealed-encoder.js';
import { openSealedOutput } from '../output/sealed-output.js';
import { SEALED_NPY_HEADER_BYTES } from '../sealed-npy.js';
import { openSealedInput } from './sealed.js';

const D = 6;
const N = 25;
let dir: string;
let io: Io;
const authority = generateAuthority();
const writer = createWriterKey(authority);
const keyset = VectorKeyset.create();
const scheme = signScheme(
  {
    collection: 'docs',
    dimension: D,
    metric: 'euclid',
    beta: 0.5,
    preset: null,
    scale: null,
    maxNorm: null,
    authority: authority.id,
    prefilter: true,
    blindIndexFields: [],
    exactVector: true,
    legacyKids: [],
  },
  writer,
);
const sealer = createSealer({ writer, cipher: createVectorCipher(keyset.primary, { dimension: D, metric: 'euclid', beta: 0.5, collection: 'docs' }), collection: 'docs' });
const records: SealedRecord[] = Array.from({ length: N }, (_, i) =>
  sealer.seal({ id: `r${i}`, vector: Array.from({ length: D }, (_, j) => Math.sin(i * 7 + j) * (i + 1)), policy: '*', payload: { i, text: `ü ${i}` } }),
);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealvec-pair-'));
  io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, isTTY: false, cwd: dir };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes records as a sealed output (a pair for X.npy), in batches of 7. */
async function writeSealed(path: string, recs: readonly SealedRecord[] = records): Promise<void> {
  const out = await openSealedOutput(path, io);
  await out.begin('docs', '', scheme);
  const enc = new SealedEncoder(out.format, D, { rowsHint: 4, pointId: pointIdOf });
  for (let i = 0; i < recs.length; i++) {
    enc.add(recs[i]!);
    if (enc.rows === 7) await out.write(enc.take());
  }
  await out.write(enc.take());
  await out.commit();
}

async function readAll(path: string): Promise<SealedRecord[]> {
  const file = await openSealedInput(path, io);
  try {
    const got: SealedRecord[] = [];
    for await (const { record } of file.records) got.push(record);
    return got;
  } finally {
    await file.close();
  }
}

/** The error reading `path` gives (its code and message), or null when it reads. */
async function readError(path: string): Promise<{ code: unknown; message: string } | null> {
  try {
    await readAll(path);
    return null;
  } catch (e) {
    return { code: (e as { code?: unknown }).code, message: (e as Error).message };
  }
}

const copy = (from: string, to: string, edit: (b: Buffer) => Buffer = (b) => b) => writeFileSync(join(dir, to), edit(readFileSync(join(dir, from))));

describe('sealed .npy pair', () => {
  it('writes a standard .npy and a sidecar, and reads back the records a sealed JSONL file holds', async () => {
    await writeSealed('a.npy');
    await writeSealed('a-copy.jsonl');
    expect(readdirSync(dir).sort()).toEqual(['a-copy.jsonl', 'a.jsonl', 'a.npy']);
    const npy = readFileSync(join(dir, 'a.npy'));
    expect(npy.length).toBe(SEALED_NPY_HEADER_BYTES + N * D * 4);
    expect(npy.subarray(10, SEALED_NPY_HEADER_BYTES).toString('latin1')).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(25, 6\), \} +\n$/);
    const side = readFileSync(join(dir, 'a.jsonl'), 'utf8').split('\n');
    expect(JSON.parse(side[0]!)).toMatchObject({ type: 'sealvec/sealed-npy', version: 2, collection: 'docs', tenant: '', npy: { rows: N, storedDimension: D, dtype: '<f4' } });
    expect(JSON.parse(side[1]!)).toMatchObject({ point: pointIdOf('', 'r0'), payload: { id: 'r0', sv: 2 } });
    const fromPair = await readAll('a.npy');
    expect(fromPair).toEqual(records.map((r) => ({ ...r, vector: Float32Array.from(r.vector) })));
    expect(await readAll('a.jsonl')).toEqual(fromPair);
    expect(await readAll('a-copy.jsonl')).toEqual(fromPair);
  });

  it('is detected from the sidecar too, and reports its size and rows for progress', async () => {
    const f = await openSealedInput('a.jsonl', io);
    expect(f.format).toBe('npy');
    expect(f.name).toBe('a.npy + a.jsonl');
    expect(f.rows).toBe(N);
    expect(f.size).toBe(readFileSync(join(dir, 'a.npy')).length + readFileSync(join(dir, 'a.jsonl')).length);
    await f.close();
  });

  it('refuses a truncated .npy, extra bytes, a wrong dtype or dimension, before any record', async () => {
    copy('a.npy', 't.npy', (b) => b.subarray(0, b.length - 5));
    copy('a.jsonl', 't.jsonl');
    expect(await readError('t.npy')).toEqual({ code: 'ERR_MALFORMED', message: 't.npy:row 25: truncated (the header declares 25 rows of 6 float32, the file holds 5 bytes too few)' });
    copy('a.npy', 'x.npy', (b) => Buffer.concat([b, Buffer.alloc(3)]));
    copy('a.jsonl', 'x.jsonl');
    expect(await readError('x.npy')).toEqual({ code: 'ERR_MALFORMED', message: 'x.npy: 3 unexpected bytes after the last row (the header declares 25 rows)' });
    const header = (descr: string, shape: string) => (b: Buffer) => {
      const h = Buffer.from(b.subarray(0, SEALED_NPY_HEADER_BYTES));
      const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
      h.write(dict.padEnd(SEALED_NPY_HEADER_BYTES - 11, ' '), 10, 'latin1');
      return Buffer.concat([h, b.subarray(SEALED_NPY_HEADER_BYTES)]);
    };
    copy('a.npy', 'be.npy', header('>f4', '(25, 6)'));
    copy('a.jsonl', 'be.jsonl');
    expect(await readError('be.npy')).toEqual({ code: 'ERR_MALFORMED', message: "be.npy: a sealed .npy holds float32 '<f4', this one float32 big-endian" });
    copy('a.npy', 'dim.npy', header('<f4', '(30, 5)'));
    copy('a.jsonl', 'dim.jsonl');
    expect(await readError('dim.npy')).toEqual({ code: 'ERR_DIMENSION_MISMATCH', message: 'dim.npy: rows have 5 values, the scheme in dim.jsonl stores 6' });
    copy('a.npy', 'i8.npy', header('<i8', '(25, 6)'));
    copy('a.jsonl', 'i8.jsonl');
    expect((await readError('i8.npy'))?.message).toBe("i8.npy: unsupported dtype '<i8' (expected float32 '<f4' or float64 '<f8')");
  });

  it('refuses a pair whose row counts or contents differ (a mixed pair)', async () => {
    await writeSealed('b.npy', records.slice(0, 20));
    copy('b.npy', 'm1.npy');
    copy('a.jsonl', 'm1.jsonl');
    expect(await readError('m1.npy')).toEqual({ code: 'ERR_MALFORMED', message: 'm1.npy holds 20 rows, its sidecar m1.jsonl declares 25 (files from two different writes?)' });
    // Same shape, other rows: only the digest tells.
    const shuffled = [...records.slice(1), records[0]!];
    await writeSealed('c.npy', shuffled);
    copy('c.npy', 'm2.npy');
    copy('a.jsonl', 'm2.jsonl');
    expect(await readError('m2.jsonl')).toEqual({
      code: 'ERR_MALFORMED',
      message:
        'm2.npy does not match its sidecar m2.jsonl: the SHA-256 of its rows differs from the one the sidecar records (a pair mixed by an interrupted write, or files from two different runs)',
    });
  });

  it('refuses a sidecar with too many or too few records, or a wrong point id', async () => {
    const lines = readFileSync(join(dir, 'a.jsonl'), 'utf8').split('\n');
    copy('a.npy', 'more.npy');
    writeFileSync(join(dir, 'more.jsonl'), [...lines.slice(0, -1), lines[1], ''].join('\n'));
    expect(await readError('more.npy')).toEqual({ code: 'ERR_MALFORMED', message: 'more.jsonl:27: the sidecar holds more records than the 25 rows of more.npy' });
    copy('a.npy', 'fewer.npy');
    writeFileSync(join(dir, 'fewer.jsonl'), [...lines.slice(0, -2), ''].join('\n'));
    expect(await readError('fewer.npy')).toEqual({ code: 'ERR_MALFORMED', message: 'fewer.jsonl: holds 24 records, its header and fewer.npy declare 25' });
    copy('a.npy', 'pt.npy');
    writeFileSync(join(dir, 'pt.jsonl'), lines.map((l, i) => (i === 3 ? l.replace(/"point":"[^"]+"/, `"point":"${pointIdOf('', 'other')}"`) : l)).join('\n'));
    expect(await readError('pt.npy')).toEqual({ code: 'ERR_MALFORMED', message: 'pt.jsonl:4: "point" is not the point id of record "r2"' });
    copy('a.npy', 'bad.npy');
    writeFileSync(join(dir, 'bad.jsonl'), lines.map((l, i) => (i === 5 ? l.replace(/"kid":"[0-9a-f]+"/, '"kid":"XYZ"') : l)).join('\n'));
    expect(await readError('bad.npy')).toEqual({ code: 'ERR_MALFORMED', message: 'bad.jsonl:6 (row 5 of bad.npy): stored field "kid" must be 16 lowercase hex digits' });
  });

  it('refuses a sidecar header that is not consistent with its scheme', async () => {
    const lines = readFileSync(join(dir, 'a.jsonl'), 'utf8').split('\n');
    const withHeader = (name: string, edit: (h: Record<string, unknown>) => void) => {
      const h = JSON.parse(lines[0]!) as Record<string, unknown>;
      edit(h);
      copy('a.npy', `${name}.npy`);
      writeFileSync(join(dir, `${name}.jsonl`), [JSON.stringify(h), ...lines.slice(1)].join('\n'));
    };
    withHeader('h1', (h) => ((h.npy as Record<string, unknown>).storedDimension = 7));
    expect((await readError('h1.npy'))?.message).toBe('h1.jsonl:1: "npy.storedDimension" must be the scheme\'s stored dimension 6, got 7');
    withHeader('h2', (h) => ((h.npy as Record<string, unknown>).rows = -1));
    expect((await readError('h2.npy'))?.message).toBe('h2.jsonl:1: "npy.rows" must be a positive integer');
    withHeader('h3', (h) => ((h.npy as Record<string, unknown>).dtype = '<f8'));
    expect((await readError('h3.npy'))?.message).toBe('h3.jsonl:1: "npy.dtype" must be "<f4"');
    withHeader('h4', (h) => ((h.npy as Record<string, unknown>).sha256 = 'x'));
    expect((await readError('h4.npy'))?.message).toBe('h4.jsonl:1: "npy.sha256" must be a base64url SHA-256');
    withHeader('h5', (h) => delete h.npy);
    expect((await readError('h5.npy'))?.message).toBe('h5.jsonl:1: "npy" must be an object');
  });

  it('needs both files, and no stdin', async () => {
    copy('a.npy', 'alone.npy');
    expect(await readError('alone.npy')).toEqual({
      code: 'ERR_INPUT_FILE',
      message: 'alone.npy: a sealed .npy is read with its sidecar alone.jsonl, which cannot be read: no such file or directory',
    });
    copy('a.jsonl', 'orphan.jsonl');
    expect(await readError('orphan.jsonl')).toEqual({
      code: 'ERR_INPUT_FILE',
      message: 'orphan.jsonl is the sidecar of orphan.npy, which cannot be read: no such file or directory',
    });
    copy('a.npy', 'plain.npy');
    copy('a-copy.jsonl', 'plain.jsonl');
    expect(await readError('plain.npy')).toEqual({
      code: 'ERR_MALFORMED',
      message: 'plain.jsonl: not the sidecar of a sealed .npy (its first line must be a "sealvec/sealed-npy" header), so plain.npy cannot be read',
    });
    expect(await readError('nothing.npy')).toEqual({ code: 'ERR_INPUT_FILE', message: 'cannot read nothing.npy: no such file or directory' });
    for (const file of ['a.jsonl', 'a.npy']) {
      const stdin = new PassThrough();
      stdin.end(readFileSync(join(dir, file)));
      const err = await openSealedInput('-', { ...io, stdin }).then(
        () => null,
        (e: Error & { code?: string }) => ({ code: e.code, message: e.message }),
      );
      expect(err?.message).toMatch(/cannot be read from stdin/);
    }
    copy('a.jsonl', 'side.txt');
    expect((await readError('side.txt'))?.message).toBe('side.txt: a sealed .npy sidecar is named X.jsonl, beside its X.npy');
  });

  it('writes a pair whole or not at all, and never replaces a .jsonl that is not a sidecar', async () => {
    const out = await openSealedOutput('d.npy', io);
    await out.begin('docs', '', scheme);
    const enc = new SealedEncoder('npy', D, { pointId: pointIdOf });
    enc.add(records[0]!);
    await out.write(enc.take());
    expect(readdirSync(dir).filter((f) => f.startsWith('.d.'))).toHaveLength(2);
    await out.abort();
    expect(existsSync(join(dir, 'd.npy')) || existsSync(join(dir, 'd.jsonl'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    writeFileSync(join(dir, 'e.jsonl'), '{"id": 1, "vector": [1, 2]}\n');
    await expect(openSealedOutput('e.npy', io)).rejects.toMatchObject({
      exitCode: 2,
      message: 'e.npy is written with its sidecar e.jsonl, which exists and is not a sealed .npy sidecar: move it away or choose another -o',
    });
    // An existing pair is replaced as a pair.
    await writeSealed('a.npy', records.slice(0, 3));
    expect(await readAll('a.npy')).toHaveLength(3);
  });
});

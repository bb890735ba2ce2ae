import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openOutput, writeFileAtomic } from './atomic.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealvec-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openOutput', () => {
  it('writes to a temp file in the same directory and renames it on commit', async () => {
    const out = await openOutput('out.jsonl', new PassThrough(), dir);
    await out.write('a\n');
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^\.out\.jsonl\.\d+\.[0-9a-f]{8}\.tmp$/)]);
    await out.write('b\n');
    await out.commit();
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).toBe('a\nb\n');
    expect(readdirSync(dir)).toEqual(['out.jsonl']);
  });

  it('leaves nothing behind on abort, and keeps an existing file intact', async () => {
    writeFileSync(join(dir, 'out.jsonl'), 'old');
    const out = await openOutput('out.jsonl', new PassThrough(), dir);
    await out.write('partial');
    await out.abort();
    await out.abort();
    expect(readdirSync(dir)).toEqual(['out.jsonl']);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).toBe('old');
  });

  it('fails with exit code 1 and the path when the directory does not exist', async () => {
    await expect(openOutput('missing/out.jsonl', new PassThrough(), dir)).rejects.toMatchObject({
      exitCode: 1,
      message: 'cannot write missing/out.jsonl: no such file or directory',
    });
  });

  it('writes - to the given stdout', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d: Buffer) => (text += d.toString()));
    const out = await openOutput('-', stdout, dir);
    await out.write('x');
    await out.commit();
    expect(text).toBe('x');
  });
});

describe('writeFileAtomic', () => {
  it('creates secret files with mode 0600 and refuses to replace one when exclusive', async () => {
    await writeFileAtomic('k.json', 'secret', dir, { mode: 0o600, exclusive: true });
    expect(statSync(join(dir, 'k.json')).mode & 0o777).toBe(0o600);
    await expect(writeFileAtomic('k.json', 'other', dir, { mode: 0o600, exclusive: true })).rejects.toMatchObject({ message: 'k.json already exists' });
    expect(readFileSync(join(dir, 'k.json'), 'utf8')).toBe('secret');
    await expect(writeFileAtomic('-', 'secret', dir)).rejects.toMatchObject({ message: 'this output cannot go to stdout' });
  });
});

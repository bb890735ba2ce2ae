/**
 * End to end, on the built binary: key directory, user keys, rotation, help for every command,
 * usage errors, and that no secret ever reaches stdout or stderr.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../main.js';
import { requireBuilt, sealvec, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
/** Everything the binary printed in this file, checked for secrets at the end. */
const printed: string[] = [];

async function sv(args: string[], input?: string) {
  const r = await sealvec(args, { cwd: dir, ...(input !== undefined ? { input } : {}) });
  printed.push(r.stdout, r.stderr);
  return r;
}

beforeAll(() => {
  requireBuilt();
  ({ dir, cleanup } = tempDir());
});
afterAll(() => cleanup());

describe('sealvec init', () => {
  it('creates the key directory with 0600 files, and refuses to overwrite without --force', async () => {
    const r = await sv(['init']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Initialized a key directory at .*\.sealvec\/keys/);
    const keys = join(dir, '.sealvec/keys');
    expect(statSync(keys).mode & 0o777).toBe(0o700);
    for (const f of ['authority.json', 'vectors.json', 'writer.json']) expect(statSync(join(keys, f)).mode & 0o777, f).toBe(0o600);
    const before = readFileSync(join(keys, 'authority.json'), 'utf8');

    const again = await sv(['init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds keys \(authority\.json, vectors\.json, writer\.json\); use --force/);
    expect(readFileSync(join(keys, 'authority.json'), 'utf8')).toBe(before);

    const forced = await sv(['init', '--force', '--json']);
    expect(forced.code).toBe(0);
    const info = JSON.parse(forced.stdout) as { authority: { id: string; epoch: number } };
    expect(info.authority.epoch).toBe(1);
    expect(readFileSync(join(keys, 'authority.json'), 'utf8')).not.toBe(before);
  });

  it('honours --keys and SEALVEC_KEYS', async () => {
    const r = await sv(['init', '--keys', 'other-keys', '--json']);
    expect(r.code).toBe(0);
    expect(statSync(join(dir, 'other-keys/authority.json')).mode & 0o777).toBe(0o600);
    const viaEnv = await sealvec(['keys', 'info', '--json'], { cwd: dir, env: { SEALVEC_KEYS: 'other-keys' } });
    printed.push(viaEnv.stdout, viaEnv.stderr);
    expect(JSON.parse(viaEnv.stdout).keys).toBe(join(dir, 'other-keys'));
  });
});

describe('sealvec keys', () => {
  it('issues a user key (0600, never printed) and shows its info', async () => {
    const r = await sv(['keys', 'issue', '--role', 'hr_manager', '--department', 'human_resources', '--group', 'a,b', '-o', 'alice.key']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/attributes\s+role=hr_manager; group=a,b; department=human_resources/);
    expect(statSync(join(dir, 'alice.key')).mode & 0o777).toBe(0o600);
    const info = await sv(['keys', 'info', 'alice.key', '--json']);
    expect(info.code).toBe(0);
    const j = JSON.parse(info.stdout) as { kind: string; info: { attributes: Record<string, string[]>; epoch: number; tuples: number } };
    expect(j.kind).toBe('user key');
    expect(j.info.attributes).toEqual({ role: ['hr_manager'], group: ['a', 'b'], department: ['human_resources'] });
    expect(j.info.tuples).toBe(2 * 3 * 2);
  });

  it('refuses stdout, an existing file, and users without attributes', async () => {
    expect((await sv(['keys', 'issue', '--role', 'x', '-o', '-'])).code).toBe(2);
    const exists = await sv(['keys', 'issue', '--role', 'x', '-o', 'alice.key']);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toBe('sealvec: error: alice.key already exists; use --force to replace it\n');
    const none = await sv(['keys', 'issue', '-o', 'nobody.key']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give the user at least one attribute/);
    const unknown = await sv(['keys', 'issue', '--attr', 'colour=red', '-o', 'c.key']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no dimension "colour"/);
  });

  it('rotates the epoch and the vector key, then retires the old key', async () => {
    const before = JSON.parse((await sv(['keys', 'info', '--json'])).stdout) as { vectors: { primary: string }; authority: { epoch: number } };
    const r = await sv(['keys', 'rotate', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { vector: { previous: string; primary: string; keys: string[] }; epoch: { previous: number; current: number } };
    expect(j.epoch).toEqual({ previous: before.authority.epoch, current: before.authority.epoch + 1 });
    expect(j.vector.previous).toBe(before.vectors.primary);
    expect(j.vector.keys).toHaveLength(2);
    const w = JSON.parse((await sv(['keys', 'info', '--json'])).stdout) as { writer: { epoch: number } };
    expect(w.writer.epoch).toBe(j.epoch.current);

    const primary = await sv(['keys', 'retire', '--kid', j.vector.primary]);
    expect(primary.code).toBe(3);
    expect(primary.stderr).toMatch(/cannot retire the primary key/);
    const retired = await sv(['keys', 'retire', '--kid', j.vector.previous, '--json']);
    expect(retired.code).toBe(0);
    expect(JSON.parse(retired.stdout).keys).toEqual([j.vector.primary]);
    const unknown = await sv(['keys', 'retire', '--kid', '0000000000000000']);
    expect(unknown.code).toBe(3);
  });

  it('fails with exit 3 and a hint when there is no key directory or a key file is bad', async () => {
    const r = await sv(['keys', 'issue', '--role', 'x', '-o', 'x.key', '--keys', 'nowhere']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot read authority .*nowhere\/authority\.json: no such file or directory \(run "sealvec init" first/);
    writeFileSync(join(dir, 'bad.key'), '{"type": "sealvec/user-key", "version": 1, "tupleKeys": 3}', { mode: 0o600 });
    const bad = await sv(['keys', 'info', 'bad.key']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^sealvec: error: bad\.key: /m);
    const missing = await sv(['keys', 'info', 'nobody.key']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/cannot read key file nobody\.key: no such file or directory/);
  });

  it('never prints a secret', () => {
    const secrets: string[] = [];
    const collect = (file: string) => {
      const o = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
      for (const k of ['master', 'secret', 'blindIndexRoot', 'tupleKeys']) if (typeof o[k] === 'string') secrets.push(o[k] as string);
      for (const e of (o.keys as { key: string }[] | undefined) ?? []) secrets.push(e.key.split(':')[1]!);
    };
    for (const f of ['.sealvec/keys/authority.json', '.sealvec/keys/writer.json', '.sealvec/keys/vectors.json', 'alice.key']) collect(f);
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const all = printed.join('\n');
    for (const s of secrets) expect(all.includes(s.slice(0, 16)), 'a secret was printed').toBe(false);
  });
});

describe('help and usage', () => {
  const commands = [
    ['init'],
    ['keys', 'issue'],
    ['keys', 'public'],
    ['keys', 'info'],
    ['keys', 'rotate'],
    ['keys', 'retire'],
    ['keys', 'export'],
    ['keys', 'import'],
    ['keys', 'protect'],
    ['keys', 'unprotect'],
    ['encrypt'],
    ['decrypt'],
    ['ingest'],
    ['search'],
    ['rewrap'],
    ['rotate'],
    ['inspect'],
    ['get'],
    ['export'],
    ['collections'],
    ['demo'],
  ];

  async function inProcess(args: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await run(args, { stdout, stderr, stdin: new PassThrough(), env: {}, isTTY: false, cwd: dir });
    return { code, out, err };
  }

  it('--help works for every command and shows examples', async () => {
    for (const c of commands) {
      const r = await inProcess([...c, '--help']);
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.out, c.join(' ')).toMatch(new RegExp(`Usage: sealvec ${c.join(' ')}`));
      expect(r.out, c.join(' ')).toMatch(/Examples:\n {2}\$ sealvec /);
    }
  });

  it('the built binary prints help and its version', async () => {
    const h = await sv(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Exit codes: 0 ok, 1 unexpected, 2 usage, 3 crypto\/key\/policy, 4 backend, 5 input data, 6 the key opens nothing here\./);
    const v = await sv(['--version']);
    expect(v.stdout.trim()).toBe('0.1.0');
  });

  it('usage errors exit 2', async () => {
    for (const args of [['frobnicate'], ['encrypt', '-o', 'x'], ['encrypt', '-i', 'x', '-o', 'y', '--threads', 'many'], ['encrypt', '-i', 'x', '-o', 'y', '--metric', 'l1'], ['init', '--bogus']]) {
      const r = await inProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(/sealvec: (usage )?error/);
    }
  });
});

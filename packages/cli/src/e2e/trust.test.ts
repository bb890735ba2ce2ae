/**
 * End to end, on the built binary: what readers and writers verify with, and key files from
 * before writer signatures. The authority public key file (`keys public`, `--authority FILE`) on a
 * reader machine that holds no writer or authority secret; re-issuing a writer key for the current
 * epoch (`keys issue --writer`); version 1 user and writer keys refused with exit 3 and a message
 * that says what to do; format v1 sealed files read only with --allow-v1; a backup whose writer
 * key is not its authority's.
 */
import { createPrivateKey, hkdfSync, sign } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  authorityFromMaster,
  exportAuthority,
  exportAuthorityPublicKey,
  exportWriterKey,
  createWriterKey,
  generateAuthority,
  importAuthorityPublicKey,
  importVectorKey,
  passphraseProvider,
  protectSecret,
  VectorKeyset,
} from '@sealvec/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decrypted, jsonl, requireBuilt, sealvec, tempDir, vectors, write } from './helpers.js';

let dir: string;
let cleanup: () => void;
const D = 8;
const data = vectors(24, D, 5);
const QUERY = JSON.stringify(Array.from(data[3]!));

const sv = (args: string[], env?: Record<string, string>) => sealvec(args, { cwd: dir, ...(env ? { env } : {}) });
const ok = async (args: string[], env?: Record<string, string>) => {
  const r = await sv(args, env);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};

/** A copy of a key file as format version 1 wrote it (the signing fields dropped), mode 0600. */
function asV1(from: string, to: string, drop: string[]): string {
  const o = JSON.parse(readFileSync(join(dir, from), 'utf8')) as Record<string, unknown>;
  o.version = 1;
  for (const k of drop) delete o[k];
  writeFileSync(join(dir, to), JSON.stringify(o, null, 2), { mode: 0o600 });
  return to;
}
const USER_V1 = ['authorityKey', 'writerKey', 'certificate'];

/** docs/format.md's lp() and HKDF, on Node's own primitives (to sign as an authority the library would not). */
function lp(...fields: (string | Uint8Array)[]): Buffer {
  return Buffer.concat(
    fields.map((f) => {
      const bytes = typeof f === 'string' ? Buffer.from(f, 'utf8') : Buffer.from(f);
      const n = Buffer.alloc(4);
      n.writeUInt32BE(bytes.length);
      return Buffer.concat([n, bytes]);
    }),
  );
}
function hkdf(ikm: Uint8Array, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.from('sealvec/v1'), lp(label), 32));
}
const WRITER_V1 = ['authorityKey', 'certificate'];

/** A key directory holding only what is listed (copied from the main one, 0600). */
function keyDirWith(name: string, files: Record<string, string>): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true, mode: 0o700 });
  for (const [to, from] of Object.entries(files)) {
    copyFileSync(join(dir, from), join(d, to));
    chmodSync(join(d, to), 0o600);
  }
  return name;
}

beforeAll(async () => {
  requireBuilt();
  ({ dir, cleanup } = tempDir());
  await ok(['init', '--quiet']);
  await ok(['keys', 'issue', '--role', 'analyst', '-o', 'alice.key', '--quiet']);
  write(dir, 'docs.jsonl', jsonl(data, (i) => ({ id: `d${i}`, policy: 'role=analyst', payload: { n: i } })));
  await ok(['ingest', '-i', 'docs.jsonl', '--collection', 'docs', '--quiet']);
  await ok(['encrypt', '-i', 'docs.jsonl', '-o', 'docs.sealed', '--collection', 'docs', '--quiet']);
});
afterAll(() => cleanup());

describe('the authority public key file', () => {
  it('keys public prints it exactly as the library writes it, and -o writes it (0644, refusing to replace without --force)', async () => {
    const info = JSON.parse((await ok(['keys', 'info', '--json'])).stdout) as { authority: { id: string; publicKey: string } };
    const r = await ok(['keys', 'public']);
    const key = importAuthorityPublicKey(r.stdout);
    expect(r.stdout).toBe(`${exportAuthorityPublicKey(key)}\n`);
    expect(key.id).toBe(info.authority.id);
    expect(JSON.parse(r.stdout)).toEqual({ type: 'sealvec/authority-public-key', version: 1, id: info.authority.id, publicKey: info.authority.publicKey });

    const w = await ok(['keys', 'public', '-o', 'authority.pub.json', '--json']);
    expect(JSON.parse(w.stdout)).toEqual({ file: 'authority.pub.json', id: info.authority.id, publicKey: info.authority.publicKey, source: 'authority.json' });
    expect(readFileSync(join(dir, 'authority.pub.json'), 'utf8')).toBe(r.stdout);
    expect(statSync(join(dir, 'authority.pub.json')).mode & 0o777).toBe(0o644);
    const again = await sv(['keys', 'public', '-o', 'authority.pub.json']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/authority\.pub\.json already exists; use --force/);
    await ok(['keys', 'public', '-o', 'authority.pub.json', '--force', '--quiet']);

    // An ingest machine (writer.json only) gives the same file, from its writer key's certificate.
    const ingestDir = keyDirWith('ingest-keys', { 'vectors.json': '.sealvec/keys/vectors.json', 'writer.json': '.sealvec/keys/writer.json' });
    const fromWriter = await ok(['keys', 'public', '--keys', ingestDir]);
    expect(fromWriter.stdout).toBe(r.stdout);
    const none = await sv(['keys', 'public', '--keys', keyDirWith('vectors-only', { 'vectors.json': '.sealvec/keys/vectors.json' })]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/holds neither authority\.json nor a version 2 writer\.json/);
  });

  it('a reader machine with vectors.json, a user key and the public key file searches, gets, exports and decrypts', async () => {
    const reader = keyDirWith('reader-keys', { 'vectors.json': '.sealvec/keys/vectors.json' });
    const common = ['--keys', reader, '--key', 'alice.key', '--authority', 'authority.pub.json'];
    const s = await ok(['search', ...common, '--collection', 'docs', '--query', QUERY, '-k', '3', '--json']);
    expect((JSON.parse(s.stdout.trim()) as { hits: { id: string }[] }).hits[0]!.id).toBe('d3');
    const g = await ok(['get', ...common, '--collection', 'docs', 'd5']);
    expect(decrypted(g.stdout).get('d5')!.payload).toEqual({ n: 5 });
    const e = await ok(['export', ...common, '--collection', 'docs', '--no-vector']);
    expect(decrypted(e.stdout).size).toBe(data.length);
    const d = await ok(['decrypt', ...common, '-i', 'docs.sealed', '--no-vector']);
    expect(decrypted(d.stdout).size).toBe(data.length);
  });

  it('a public key of another authority, a file others can write, or a malformed file is refused (exit 3)', async () => {
    const stranger = generateAuthority();
    write(dir, 'stranger.pub.json', exportAuthorityPublicKey(stranger.publicKey));
    for (const args of [
      ['search', '--collection', 'docs', '--query', QUERY],
      ['decrypt', '-i', 'docs.sealed'],
    ]) {
      const r = await sv([...args, '--key', 'alice.key', '--authority', 'stranger.pub.json']);
      expect(r.code, args[0]).toBe(3);
      expect(r.stderr, args[0]).toMatch(new RegExp(`alice\\.key was issued by authority [0-9a-f]{16}, but stranger\\.pub\\.json is the public key of authority ${stranger.id}`));
    }
    const info = JSON.parse(readFileSync(join(dir, 'authority.pub.json'), 'utf8')) as Record<string, unknown>;
    // Same id, another key: one of the two files is not genuine.
    write(dir, 'swapped.pub.json', JSON.stringify({ ...info, publicKey: JSON.parse(exportAuthorityPublicKey(stranger.publicKey)).publicKey }));
    const swapped = await sv(['search', '--key', 'alice.key', '--collection', 'docs', '--query', QUERY, '--authority', 'swapped.pub.json']);
    expect(swapped.code).toBe(3);
    expect(swapped.stderr).toMatch(/alice\.key and swapped\.pub\.json hold different public keys for authority/);
    copyFileSync(join(dir, 'authority.pub.json'), join(dir, 'open.pub.json'));
    chmodSync(join(dir, 'open.pub.json'), 0o666);
    const writable = await sv(['search', '--key', 'alice.key', '--collection', 'docs', '--query', QUERY, '--authority', 'open.pub.json']);
    expect(writable.code).toBe(3);
    expect(writable.stderr).toMatch(/open\.pub\.json is writable by group or others/);
    write(dir, 'bad.pub.json', '{"type": "sealvec/authority-public-key"');
    const bad = await sv(['decrypt', '-i', 'docs.sealed', '--key', 'alice.key', '--authority', 'bad.pub.json']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/bad\.pub\.json: authority public key is not valid JSON/);
  });
});

describe('key files from before writer signatures (version 1)', () => {
  it('a v1 user key is refused by search, get, export and decrypt with exit 3: it must be issued again', async () => {
    const key = asV1('alice.key', 'alice-v1.key', USER_V1);
    for (const cmd of [
      ['search', '--collection', 'docs', '--query', QUERY],
      ['get', '--collection', 'docs', 'd1'],
      ['export', '--collection', 'docs'],
      ['decrypt', '-i', 'docs.sealed'],
    ]) {
      const r = await sv([...cmd, '--key', key]);
      expect(r.code, `${cmd[0]}: ${r.stderr}`).toBe(3);
      expect(r.stderr, cmd[0]).toMatch(/alice-v1\.key predates writer signatures \(key format v1\).*issued again/);
      expect(r.stdout, cmd[0]).toBe('');
    }
    // With the authority's public key it verifies the collection, but still cannot check records.
    const r = await sv(['search', '--collection', 'docs', '--query', QUERY, '--key', key, '--authority', 'authority.pub.json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/alice-v1\.key predates writer signatures \(key format v1\).*issued again/);
  });

  it('on an ingest machine, a v1 writer.json is refused by ingest, encrypt and rotate with exit 3 and the command that replaces it', async () => {
    const keys = keyDirWith('old-ingest', { 'vectors.json': '.sealvec/keys/vectors.json' });
    asV1('.sealvec/keys/writer.json', join(keys, 'writer.json'), WRITER_V1);
    for (const cmd of [
      ['ingest', '-i', 'docs.jsonl', '--collection', 'docs'],
      ['encrypt', '-i', 'docs.jsonl', '-o', 'never.sealed'],
      ['rotate', '--collection', 'docs'],
    ]) {
      const r = await sv([...cmd, '--keys', keys]);
      expect(r.code, `${cmd[0]}: ${r.stderr}`).toBe(3);
      expect(r.stderr, cmd[0]).toMatch(/writer\.json predates writer signatures \(key format v1\).*"sealvec keys issue --writer"/);
    }
  });

  it('where authority.json is, a v1 writer.json is replaced by a certified key with a warning, and keys issue --writer rewrites it', async () => {
    const keys = keyDirWith('old-authority', { 'vectors.json': '.sealvec/keys/vectors.json', 'authority.json': '.sealvec/keys/authority.json' });
    asV1('.sealvec/keys/writer.json', join(keys, 'writer.json'), WRITER_V1);
    const before = JSON.parse((await ok(['keys', 'info', '--keys', keys, '--json'])).stdout) as { writer: { certified: boolean; epoch: number } };
    expect(before.writer.certified).toBe(false);
    const r = await ok(['encrypt', '--keys', keys, '-i', 'docs.jsonl', '-o', 'from-old.sealed', '--quiet']);
    expect(r.stderr).toMatch(/warning: .*writer\.json predates writer signatures \(key format v1\); using the certified writer key derived from authority\.json.*"sealvec keys issue --writer"/);

    const issued = await ok(['keys', 'issue', '--writer', '--keys', keys, '--json']);
    expect(JSON.parse(issued.stdout)).toMatchObject({ file: join(dir, keys, 'writer.json'), protected: false, key: { type: 'sealvec/writer-key', version: 2, certified: true, epoch: before.writer.epoch, tenant: '' } });
    expect(statSync(join(dir, keys, 'writer.json')).mode & 0o777).toBe(0o600);
    // The same key as before, now certified: the file is what init or keys rotate would write.
    expect(readFileSync(join(dir, keys, 'writer.json'), 'utf8')).toBe(readFileSync(join(dir, '.sealvec/keys/writer.json'), 'utf8'));
    const after = await ok(['encrypt', '--keys', keys, '-i', 'docs.jsonl', '-o', 'from-new.sealed', '--quiet']);
    expect(after.stderr).toBe('');
  });

  it('keys issue --writer writes a writer key for another tenant to a file; it takes no attributes', async () => {
    await ok(['keys', 'issue', '--writer', '--tenant', 'acme', '-o', 'acme-writer.json', '--quiet']);
    expect(statSync(join(dir, 'acme-writer.json')).mode & 0o777).toBe(0o600);
    const info = JSON.parse((await ok(['keys', 'info', 'acme-writer.json', '--json'])).stdout) as { info: Record<string, unknown> };
    expect(info.info).toMatchObject({ type: 'sealvec/writer-key', version: 2, certified: true, tenant: 'acme' });
    const exists = await sv(['keys', 'issue', '--writer', '--tenant', 'acme', '-o', 'acme-writer.json']);
    expect(exists.code).toBe(2);
    const attrs = await sv(['keys', 'issue', '--writer', '--role', 'analyst', '-o', 'x.json']);
    expect(attrs.code).toBe(2);
    expect(attrs.stderr).toMatch(/--writer issues a writer key, which takes no attributes/);
    const old = await sv(['keys', 'rotate', '--only', 'epoch', '--keys', keyDirWith('rotating', { 'authority.json': '.sealvec/keys/authority.json' }), '--quiet']);
    expect(old.code).toBe(0);
    const stale = await sv(['keys', 'issue', '--writer', '--epoch', '1', '--keys', 'rotating']);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/writer\.json holds the current epoch's writer key \(2\); write an older epoch's with -o FILE/);
    const noFile = await sv(['keys', 'issue', '--role', 'analyst']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/give the user key a file with -o/);
  });
});

describe('format v1 sealed files (fixtures/kat/sealed-record-v1.json)', () => {
  interface KatCase {
    master: string;
    schema: string[];
    epoch: number;
    collection: string;
    tenant: string;
    vectorKey: string;
    params: { dimension: number; metric: string; beta: number };
    options: { prefilter: boolean; blindIndex: string[]; exactVector: boolean };
    stored: { vector: number[]; payload: Record<string, unknown> };
    opened: { vector: number[]; payload: unknown };
  }
  const kat = JSON.parse(readFileSync(new URL('../../../../fixtures/kat/sealed-record-v1.json', import.meta.url), 'utf8')) as { valid: KatCase[] };
  const c = kat.valid[0]!;

  beforeAll(async () => {
    const a = authorityFromMaster(Buffer.from(c.master, 'hex'), { schema: c.schema, epoch: c.epoch });
    mkdirSync(join(dir, 'kat-keys'), { mode: 0o700 });
    writeFileSync(join(dir, 'kat-keys/authority.json'), exportAuthority(a), { mode: 0o600 });
    writeFileSync(join(dir, 'kat-keys/vectors.json'), VectorKeyset.create(importVectorKey(c.vectorKey)).export(), { mode: 0o600 });
    const scheme = {
      sealvec: 1,
      dimension: c.params.dimension,
      storedDimension: c.params.dimension,
      metric: c.params.metric,
      beta: c.params.beta,
      preset: null,
      maxNorm: null,
      authority: a.id,
      prefilter: c.options.prefilter,
      blindIndexFields: c.options.blindIndex,
      exactVector: c.options.exactVector,
    };
    const header = { type: 'sealvec/sealed-jsonl', version: 1, collection: c.collection, tenant: c.tenant, scheme };
    write(dir, 'v1.sealed', `${JSON.stringify(header)}\n${JSON.stringify(c.stored)}\n`);
    await ok(['keys', 'issue', '--keys', 'kat-keys', '--role', 'admin', '--group', 'team_hr', '--department', 'human_resources', '-o', 'kat.key', '--quiet']);
    await ok(['keys', 'public', '--keys', 'kat-keys', '-o', 'kat.pub.json', '--quiet']);
  });

  it('decrypt refuses a v1 file without --allow-v1 (exit 3, nothing written), and reads it with the flag and a warning', async () => {
    const refused = await sv(['decrypt', '--keys', 'kat-keys', '-i', 'v1.sealed', '--key', 'kat.key', '-o', 'v1.out']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/v1\.sealed is a format v1 sealed file, whose scheme is not signed; .*--allow-v1/);
    expect(() => statSync(join(dir, 'v1.out'))).toThrow();
    const r = await ok(['decrypt', '--keys', 'kat-keys', '-i', 'v1.sealed', '--key', 'kat.key', '--allow-v1']);
    expect(r.stderr).toMatch(/warning: v1\.sealed is a format v1 sealed file: its scheme is not authenticated/);
    const got = decrypted(r.stdout).get('doc-1')!;
    expect(got.payload).toEqual(c.opened.payload);
    expect(got.vector).toEqual(c.opened.vector);
  });

  it('a v1 user key reads it too (with --allow-v1), with or without the authority public key file', async () => {
    const key = asV1('kat.key', 'kat-v1.key', USER_V1);
    for (const extra of [[], ['--authority', 'kat.pub.json']]) {
      const r = await ok(['decrypt', '--keys', 'kat-keys', '-i', 'v1.sealed', '--key', key, '--allow-v1', ...extra]);
      expect(decrypted(r.stdout).get('doc-1')!.payload).toEqual(c.opened.payload);
    }
    // A v2 file still needs a v2 user key.
    const v2 = await sv(['decrypt', '-i', 'docs.sealed', '--key', asV1('alice.key', 'alice-old.key', USER_V1), '--authority', 'authority.pub.json']);
    expect(v2.code).toBe(3);
    expect(v2.stderr).toMatch(/alice-old\.key predates writer signatures/);
  });
});

describe('keys import', () => {
  const PASS = { SEALVEC_PASSPHRASE: 'correct horse battery' };
  async function backup(name: string, files: Record<string, string>): Promise<string> {
    const text = JSON.stringify({ type: 'sealvec/key-backup', version: 1, created: '2026-01-01T00:00:00.000Z', files });
    write(dir, name, await protectSecret(text, 'sealvec/key-backup', passphraseProvider(PASS.SEALVEC_PASSPHRASE, { scrypt: { logN: 10 } })));
    return name;
  }

  it('refuses a backup whose writer key is not the one its authority derives (another signing key, or another authority key)', async () => {
    const a = generateAuthority();
    const genuine = await backup('genuine.backup', { 'authority.json': exportAuthority(a), 'writer.json': exportWriterKey(createWriterKey(a)) });
    await ok(['keys', 'import', '-i', genuine, '--keys', 'restored-ok', '--quiet'], PASS);

    // A writer key of A's id and epoch whose secret A did not derive (a v1 file: no certificate to check).
    const w = JSON.parse(exportWriterKey(createWriterKey(a))) as Record<string, unknown>;
    const foreignSecret: Record<string, unknown> = { ...w, version: 1, secret: JSON.parse(exportWriterKey(createWriterKey(generateAuthority()))).secret };
    delete foreignSecret.authorityKey;
    delete foreignSecret.certificate;
    // A's own writer key, certified by another authority B under A's id: it imports (the
    // certificate verifies under the authorityKey the file carries) but is not A's.
    const bMaster = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
    const b = authorityFromMaster(bMaster);
    const seed = hkdf(bMaster, 'sealvec/v2/authority/sign');
    const bSigner = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
    const certificate = sign(null, lp('sealvec/v2/writer-certificate', a.id, '', '1', createWriterKey(a).publicKey), bSigner).toString('base64url');
    const foreignAuthorityKey = { ...w, authorityKey: JSON.parse(exportAuthorityPublicKey(b.publicKey)).publicKey, certificate };
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['foreign-secret', foreignSecret, /writer\.json is not the writer key authority\.json derives for its tenant and epoch/],
      ['foreign-authority-key', foreignAuthorityKey, /writer\.json carries another authority public key than authority\.json's/],
    ];
    for (const [name, writer, message] of cases) {
      const f = await backup(`${name}.backup`, { 'authority.json': exportAuthority(a), 'writer.json': JSON.stringify(writer) });
      const r = await sv(['keys', 'import', '-i', f, '--keys', `restored-${name}`], PASS);
      expect(r.code, `${name}: ${r.stderr}`).toBe(3);
      expect(r.stderr, name).toMatch(message);
      expect(() => statSync(join(dir, `restored-${name}`, 'authority.json')), name).toThrow();
    }
  });
});

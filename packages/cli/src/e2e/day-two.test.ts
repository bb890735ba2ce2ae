/**
 * End to end, on the built binary: the first week of running Sealvec, friction by friction
 * (issue "operators' day two"), each reproduced and now behaving:
 * - key lifecycle: `keys retire` refuses while records still use the key; backups and restores;
 *   key files protected at rest; key file permissions;
 * - no silent emptiness: a key that opens nothing says why, with exit code 6;
 * - progress and logs in pipelines, Qdrant retries reported, --json one object per line;
 * - the small ones: typed CSV columns for --where, usage errors, duplicate ids, the delimiter
 *   hint, plaintext outputs 0600, listing collections.
 */
import { chmodSync, copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBackend } from '@sealvec/qdrant';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonl, npyBytes, REPO, requireBuilt, sealvec, tempDir, vectors, write, type RunResult } from './helpers.js';

let dir: string;
let cleanup: () => void;
const D = 8;
const N = 60;
const data = vectors(N, D, 21);
/** Passphrases for the tests: cheap scrypt (the format is the same at any cost). */
const PASS = { SEALVEC_PASSPHRASE: 'correct horse battery staple', SEALVEC_SCRYPT_LOG_N: '14' };
const canList = typeof (LocalBackend.prototype as { listCollections?: unknown }).listCollections === 'function';

const sv = (args: string[], env?: Record<string, string>, input?: string) => sealvec(args, { cwd: dir, ...(env ? { env } : {}), ...(input !== undefined ? { input } : {}) });
const ok = (r: RunResult) => expect(r.code, `exit ${r.code}: ${r.stderr}`).toBe(0);
const mode = (f: string) => statSync(join(dir, f)).mode & 0o777;
const query = JSON.stringify(Array.from(data[0]!));
/** Every stdout line is one JSON object; returns them. */
const jsonLines = (r: RunResult) =>
  r.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  requireBuilt();
  ({ dir, cleanup } = tempDir('sealvec-day2-'));
  ok(await sv(['init', '--quiet']));
  ok(await sv(['keys', 'issue', '--role', 'hr_manager', '--department', 'human_resources', '--blind-index', 'year,status', '-o', 'alice.key', '--quiet']));
  ok(await sv(['keys', 'issue', '--role', 'engineer', '--department', 'engineering', '-o', 'bob.key', '--quiet']));
  write(dir, 'docs.jsonl', jsonl(data, (i) => ({ id: `d${i}`, payload: { n: i } })));
  write(dir, 'q.json', query);
});
afterAll(() => cleanup());

describe('the README command-line example, as written', () => {
  it('runs, and alice finds what was ingested for her department', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const block = readme.slice(readme.indexOf('## Use it from the command line')).split('```sh\n')[1]!.split('```')[0]!;
    const commands = block
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l.startsWith('sealvec '))
      .flatMap((l) => l.split(' && '));
    expect(commands.length).toBeGreaterThanOrEqual(6);
    const own = tempDir('sealvec-readme-');
    try {
      write(own.dir, 'docs.jsonl', jsonl(data, (i) => ({ id: `doc-${i}`, payload: { title: `doc ${i}` } })));
      write(own.dir, 'question.json', query);
      write(own.dir, 'embeddings.npy', npyBytes(data));
      for (const c of commands) {
        // The example's arguments hold no quotes other than around one word list.
        const args = (c.slice('sealvec '.length).match(/"[^"]*"|\S+/g) ?? []).map((a) => a.replace(/^"|"$/g, ''));
        const r = await sealvec(args, { cwd: own.dir, env: PASS });
        expect(r.code, `${c}\n${r.stderr}`).toBe(0);
        if (args[0] === 'search') expect(r.stdout, c).toMatch(/^query 0: 5 results/);
      }
    } finally {
      own.cleanup();
    }
  });
});

describe('key lifecycle', () => {
  it('keys retire refuses while a collection holds records under the key and names it; a backup brings a forced retire back', async () => {
    ok(await sv(['ingest', '-i', 'docs.jsonl', '--collection', 'docs', '--policy', '*', '--quiet']));
    const kid = (JSON.parse((await sv(['keys', 'info', '--json'])).stdout) as { vectors: { keys: { kid: string }[] } }).vectors.keys[0]!.kid;
    ok(await sv(['keys', 'rotate', '--only', 'vector', '--quiet']));

    // Reproduces the friction: retire used to exit 0 here and every later search failed.
    const listed = await sv(['keys', 'retire', '--kid', kid]);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toMatch(canList ? /"docs" \(60 records\)/ : /cannot list the collections of embedded store .* name them with --collection \(repeatable\), or use --force/);
    const named = await sv(['keys', 'retire', '--kid', kid, '--collection', 'docs', '--json']);
    expect(named.code).toBe(2);
    expect(JSON.parse(named.stderr)).toEqual({
      error: {
        code: 'ERR_KEY_IN_USE',
        exit: 2,
        message: expect.stringMatching(
          new RegExp(`^vector key ${kid} still encrypts records in embedded store .*: "docs" \\(60 records\\)\\. Re-encrypt them first \\(sealvec rotate --collection NAME\\), or retire with --force`),
        ),
      },
    });
    expect((JSON.parse((await sv(['keys', 'info', '--json'])).stdout) as { vectors: { keys: unknown[] } }).vectors.keys).toHaveLength(2);

    // A backup first, then the forced retire loses access; the backup restores it.
    ok(await sv(['keys', 'export', '-o', 'keys.backup', '--quiet'], PASS));
    const forced = await sv(['keys', 'retire', '--kid', kid, '--force']);
    ok(forced);
    expect(forced.stderr).toMatch(/warning: retiring vector key .* without checking the store \(--force\)/);
    const lost = await sv(['search', '--key', 'alice.key', '--query-file', 'q.json', '--collection', 'docs']);
    expect(lost.code).toBe(3);
    expect(lost.stderr).toMatch(new RegExp(`vector key ${kid}, which is not in the given keyset`));
    ok(await sv(['keys', 'import', '-i', 'keys.backup', '--force', '--quiet'], PASS));
    const back = await sv(['search', '--key', 'alice.key', '--query-file', 'q.json', '--collection', 'docs', '-k', '1']);
    ok(back);
    expect(back.stdout).toMatch(/^query 0: 1 result /);

    // The proper way: re-encrypt, then retire.
    ok(await sv(['rotate', '--collection', 'docs', '--quiet']));
    const retired = await sv(['keys', 'retire', '--kid', kid, '--collection', 'docs', '--json']);
    ok(retired);
    expect(JSON.parse(retired.stdout)).toMatchObject({ retired: kid, checked: { collections: [{ collection: 'docs', records: 0 }] } });
  });

  it('keys export / import: a 0600 backup holding no secret in the clear, one generic error for a wrong passphrase, --force hinted', async () => {
    ok(await sv(['keys', 'export', '-o', 'again.backup', '--quiet'], PASS));
    expect(mode('again.backup')).toBe(0o600);
    const backup = readFileSync(join(dir, 'again.backup'), 'utf8');
    const authority = JSON.parse(readFileSync(join(dir, '.sealvec/keys/authority.json'), 'utf8')) as { master: string; id: string };
    expect(backup).toMatch(/"type": "sealvec\/protected"/);
    expect(backup).not.toContain(authority.master);
    expect(backup).not.toContain(authority.id);

    const exists = await sv(['keys', 'export', '-o', 'again.backup'], PASS);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toBe('sealvec: error: again.backup already exists; use --force to replace it\n');
    const wrong = await sv(['keys', 'import', '-i', 'again.backup', '--keys', 'restored'], { ...PASS, SEALVEC_PASSPHRASE: 'not the passphrase' });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toBe('sealvec: error: again.backup: wrong passphrase, or the file was altered\n');
    const over = await sv(['keys', 'import', '-i', 'again.backup'], PASS);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/already holds keys \(authority\.json, vectors\.json, writer\.json\); use --force to replace them/);

    const restored = await sv(['keys', 'import', '-i', 'again.backup', '--keys', 'restored', '--json'], PASS);
    ok(restored);
    expect(JSON.parse(restored.stdout)).toMatchObject({ files: ['authority.json', 'vectors.json', 'writer.json'] });
    for (const f of ['authority.json', 'vectors.json', 'writer.json']) {
      expect(readFileSync(join(dir, 'restored', f), 'utf8'), f).toBe(readFileSync(join(dir, '.sealvec/keys', f), 'utf8'));
      expect(mode(`restored/${f}`)).toBe(0o600);
    }
  });

  it('key files protected at rest: opened with the passphrase, described without it, kept protected through a rotation', async () => {
    const init = await sv(['init', '--keys', 'pk', '--protect', '--json'], PASS);
    ok(init);
    expect(JSON.parse(init.stdout)).toMatchObject({ protected: true });
    for (const f of ['authority.json', 'vectors.json', 'writer.json']) expect(readFileSync(join(dir, 'pk', f), 'utf8'), f).toMatch(/"type": "sealvec\/protected"/);
    const info = await sv(['keys', 'info', '--keys', 'pk']);
    ok(info);
    expect(info.stdout).toMatch(/authority\.json:\n {2}kind +authority, passphrase-protected\n {2}protection +scrypt \(logN 14, r 8, p 1\) \+ XChaCha20-Poly1305/);

    const none = await sv(['encrypt', '--keys', 'pk', '-i', 'docs.jsonl', '-o', 'p.sealed', '--policy', '*']);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/needs a passphrase: set SEALVEC_PASSPHRASE, or run on a terminal to be asked/);
    ok(await sv(['encrypt', '--keys', 'pk', '-i', 'docs.jsonl', '-o', 'p.sealed', '--policy', '*', '--quiet'], PASS));
    ok(await sv(['keys', 'issue', '--keys', 'pk', '--role', 'analyst', '--protect', '-o', 'p-user.key', '--quiet'], PASS));
    expect(readFileSync(join(dir, 'p-user.key'), 'utf8')).toMatch(/"holds": "sealvec\/user-key"/);
    const opened = await sv(['decrypt', '--keys', 'pk', '-i', 'p.sealed', '--key', 'p-user.key', '-o', 'p.jsonl', '--json'], PASS);
    ok(opened);
    expect(JSON.parse(opened.stdout)).toMatchObject({ records: N, opened: N });

    ok(await sv(['keys', 'rotate', '--keys', 'pk', '--quiet'], PASS));
    for (const f of ['authority.json', 'vectors.json', 'writer.json']) expect(readFileSync(join(dir, 'pk', f), 'utf8'), f).toMatch(/"type": "sealvec\/protected"/);
    const un = await sv(['keys', 'unprotect', '--keys', 'pk', '--json'], PASS);
    ok(un);
    expect((JSON.parse(un.stdout) as { unprotected: string[] }).unprotected).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(dir, 'pk/authority.json'), 'utf8'))).toMatchObject({ type: 'sealvec/authority', epoch: 2 });
  });

  it('key files others can write are refused; readable ones only with --allow-readable-keys', async () => {
    copyFileSync(join(dir, 'bob.key'), join(dir, 'shared.key'));
    chmodSync(join(dir, 'shared.key'), 0o644);
    const refused = await sv(['decrypt', '-i', 'p.sealed', '--keys', 'pk', '--key', 'shared.key'], PASS);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toBe('sealvec: error: shared.key is readable by group or others (mode 644); run chmod 600 shared.key, or pass --allow-readable-keys to accept it\n');
    const allowed = await sv(['--allow-readable-keys', 'keys', 'info', 'shared.key']);
    ok(allowed);
    expect(allowed.stderr).toBe('sealvec: warning: shared.key is readable by others (mode 644); accepted because of --allow-readable-keys\n');
    chmodSync(join(dir, 'shared.key'), 0o664);
    const writable = await sv(['--allow-readable-keys', 'keys', 'info', 'shared.key']);
    expect(writable.code).toBe(3);
    expect(writable.stderr).toMatch(/shared\.key is writable by group or others \(mode 664\): refusing a key file someone else could replace/);
  });
});

describe('no silent emptiness', () => {
  it('the old README case (engineering records, an HR manager\'s key): exit 6 and why, for search, get and export; bob finds them', async () => {
    ok(await sv(['ingest', '-i', 'docs.jsonl', '--collection', 'eng', '--policy', 'department=engineering', '--quiet']));
    const alice = await sv(['search', '--key', 'alice.key', '--query-file', 'q.json', '--collection', 'eng']);
    expect(alice.code).toBe(6);
    expect(alice.stdout).toBe('query 0: 0 results (0 candidates from embedded store ' + join(dir, '.sealvec/store') + ', 0 readable with this key)\n');
    expect(alice.stderr).toBe(
      'sealvec: error: alice.key opens nothing: none of the 60 records of collection "eng" is sealed for a policy this key satisfies (the key holds 4 attribute tuples at epoch 1); ' +
        'the key\'s attributes satisfy no record\'s policy: compare "sealvec keys info KEY" with the policies the records were sealed with (--policy at ingest)\n',
    );
    const asJson = await sv(['search', '--key', 'alice.key', '--query-file', 'q.json', '--collection', 'eng', '--json']);
    expect(asJson.code).toBe(6);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'ERR_NO_ACCESS', exit: 6, reason: 'no-matching-tuple' } });
    const get = await sv(['get', '--key', 'alice.key', '--collection', 'eng', 'd1', 'd2']);
    expect(get.code).toBe(6);
    const exp = await sv(['export', '--key', 'alice.key', '--collection', 'eng', '-o', 'alice-eng.jsonl']);
    expect(exp.code).toBe(6);
    expect(() => statSync(join(dir, 'alice-eng.jsonl'))).toThrow();
    const bob = await sv(['search', '--key', 'bob.key', '--query-file', 'q.json', '--collection', 'eng', '-k', '3']);
    ok(bob);
    expect(bob.stdout).toMatch(/^query 0: 3 results/);
  });

  it('a key of a newer epoch before rewrap: exit 6 with the rewrap hint; collection rewrap reports progress when piped', async () => {
    ok(await sv(['init', '--keys', 'ek', '--quiet']));
    ok(await sv(['ingest', '--keys', 'ek', '-i', 'docs.jsonl', '--collection', 'ep', '--policy', 'role=analyst', '--quiet']));
    ok(await sv(['keys', 'rotate', '--keys', 'ek', '--only', 'epoch', '--quiet']));
    ok(await sv(['keys', 'issue', '--keys', 'ek', '--role', 'analyst', '-o', 'new.key', '--quiet']));
    const early = await sv(['search', '--keys', 'ek', '--key', 'new.key', '--query-file', 'q.json', '--collection', 'ep']);
    expect(early.code).toBe(6);
    expect(early.stderr).toMatch(/the key is for epoch 2, but the records of collection "ep" are still at epoch 1 \(not yet rewrapped to the key's epoch\); the operator must move the records to the new epoch: "sealvec rewrap --collection ep"\n$/);
    const rw = await sv(['rewrap', '--keys', 'ek', '--collection', 'ep'], { SEALVEC_PROGRESS_INTERVAL: '0' });
    ok(rw);
    expect(rw.stderr).toMatch(/^sealvec: rewrap "ep": \d+ records, [\d.k]+\/s, [\d.]+%, ETA /m);
    ok(await sv(['search', '--keys', 'ek', '--key', 'new.key', '--query-file', 'q.json', '--collection', 'ep']));
  });
});

describe('progress and logs', () => {
  it('a piped ingest logs plain progress lines; with --json they are JSON objects', async () => {
    const env = { SEALVEC_PROGRESS_INTERVAL: '0' };
    const plain = await sv(['ingest', '-i', 'docs.jsonl', '--collection', 'prog', '--policy', '*'], env);
    ok(plain);
    expect(plain.stderr).toMatch(/^sealvec: ingest: \d+ records, [\d.k]+\/s, [\d.]+%, ETA \S+$/m);
    expect(plain.stderr).not.toMatch(/\r|\x1b/);
    const json = await sv(['ingest', '-i', 'docs.jsonl', '--collection', 'prog', '--policy', '*', '--json'], env);
    ok(json);
    const lines = json.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ progress: 'ingest', records: expect.any(Number), rate: expect.any(Number) });
  });

  it('--json output is one JSON object per line, for every command', async () => {
    write(dir, 'two.jsonl', jsonl([data[0]!, data[1]!], (i) => ({ id: `q${i}` })));
    const runs: [string[], number][] = [
      [['keys', 'info', '--json'], 1],
      [['keys', 'info', 'alice.key', '--json'], 1],
      [['keys', 'issue', '--role', 'x', '-o', 'x.key', '--json'], 1],
      [['encrypt', '-i', 'docs.jsonl', '-o', 'j.sealed', '--policy', '*', '--json'], 1],
      [['decrypt', '-i', 'j.sealed', '--key', 'bob.key', '-o', 'j.jsonl', '--json'], 1],
      [['ingest', '-i', 'docs.jsonl', '--collection', 'j', '--policy', '*', '--json'], 1],
      [['search', '--key', 'bob.key', '--query-file', 'two.jsonl', '--collection', 'j', '-k', '2', '--json'], 2],
      [['inspect', '--collection', 'j', '--json'], 1],
      [['inspect', 'j.sealed', '--json'], 1],
      [['rewrap', '--collection', 'j', '--json'], 1],
    ];
    for (const [args, lines] of runs) {
      const r = await sv(args);
      ok(r);
      expect(r.stdout.endsWith('\n'), args.join(' ')).toBe(true);
      expect(jsonLines(r), args.join(' ')).toHaveLength(lines);
    }
  });
});

/** The stand-in is @sealvec/qdrant test support (TypeScript source, not exported): loaded at run time. */
const STANDIN = '../../../qdrant/src/__tests__/qdrant-standin/index.js';

describe('Qdrant (REST stand-in): retries are reported', () => {
  interface Standin {
    url: string;
    close(): Promise<void>;
    inject(fault: { kind: 'status'; status: number }, options: { method?: string; path?: RegExp; times?: number }): void;
  }
  let standin: Standin;
  beforeAll(async () => {
    const mod = (await import(/* @vite-ignore */ STANDIN)) as { QdrantStandin: { start(): Promise<Standin> } };
    standin = await mod.QdrantStandin.start();
  });
  afterAll(() => standin.close());

  it('a 503 on upsert is retried and the retry is a warning on stderr; keys retire checks Qdrant collections too', async () => {
    standin.inject({ kind: 'status', status: 503 }, { method: 'PUT', path: /\/points$/, times: 1 });
    const r = await sv(['ingest', '-i', 'docs.jsonl', '--qdrant', standin.url, '--collection', 'rq', '--policy', '*']);
    ok(r);
    expect(r.stderr).toMatch(/^sealvec: warning: Qdrant: upsert .* failed \(HTTP 503[^)]*\); retrying in \d+ ms \(attempt 2\)$/m);
    const kid = (JSON.parse((await sv(['keys', 'info', '--json'])).stdout) as { vectors: { keys: { kid: string; primary: boolean }[] } }).vectors.keys.find((k) => k.primary)!.kid;
    ok(await sv(['keys', 'rotate', '--only', 'vector', '--quiet']));
    const retire = await sv(['keys', 'retire', '--kid', kid, '--qdrant', standin.url, '--collection', 'rq']);
    expect(retire.code).toBe(2);
    expect(retire.stderr).toMatch(new RegExp(`vector key ${kid} still encrypts records in Qdrant at http://127\\.0\\.0\\.1:\\d+: "rq" \\(60 records\\)`));
  });
});

describe('the smaller items', () => {
  it('CSV columns that are blind-indexed are typed: --where year=2020 matches a CSV year of 2020; "2020" (the string) is a genuine no-match, exit 0', async () => {
    const rows = data.slice(0, 20).map((v, i) => `r${i},${2019 + (i % 3)},${i % 2 ? 'open' : 'closed'},"${JSON.stringify(Array.from(v))}"`);
    write(dir, 'typed.csv', `id,year,status,vector\n${rows.join('\n')}\n`);
    ok(await sv(['ingest', '-i', 'typed.csv', '--collection', 'csv', '--blind-index', 'year,status', '--policy', '*', '--quiet']));
    const hit = await sv(['search', '--key', 'alice.key', '--query-file', 'q.json', '--collection', 'csv', '--where', 'year=2020', '-k', '20', '--json']);
    ok(hit);
    const hits = (jsonLines(hit)[0] as { hits: { id: string; payload: { year: unknown; status: unknown } }[] }).hits;
    expect(hits.map((h) => h.id).sort()).toEqual(['r1', 'r10', 'r13', 'r16', 'r19', 'r4', 'r7']);
    expect(hits.every((h) => h.payload.year === 2020 && typeof h.payload.status === 'string')).toBe(true);
    const str = await sv(['search', '--key', 'alice.key', '--query-file', 'q.json', '--collection', 'csv', '--where', 'year="2020"']);
    ok(str);
    expect(str.stdout).toMatch(/^query 0: 0 results/);
    expect(str.stderr).toMatch(/^sealvec: no results: the key opens records of collection "csv" \(20 carry one of its pre-filter tokens\): nothing matched the query\nsealvec: re-rank depth k x 40 = 400 candidates \(preset balanced\); [\d.]+ ms per query \(median of 1, store round trips included\)\n$/);
  });

  it('--where on a field that is not blind-indexed is a usage error (exit 2)', async () => {
    const r = await sv(['search', '--key', 'alice.key', '--query-file', 'q.json', '--collection', 'csv', '--where', 'colour=red']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('sealvec: error: --where colour: field "colour" is not blind-indexed in collection "csv" (blind-indexed: year, status)\n');
  });

  it('a duplicate id is warned about and counted, never a silent "stored 1 record"', async () => {
    write(dir, 'dup.jsonl', jsonl(data.slice(0, 3), (i) => ({ id: i === 2 ? 'a0' : `a${i}` })));
    const text = await sv(['ingest', '-i', 'dup.jsonl', '--collection', 'dup', '--policy', '*']);
    ok(text);
    expect(text.stderr).toMatch(/^sealvec: warning: 1 record reuses an id seen earlier in the input \("a0"\): each replaced the earlier record, so "dup" received 2 distinct records$/m);
    expect(text.stdout).toMatch(/stored 2 records \(3 input records, 1 with a repeated id\)/);
    const json = await sv(['ingest', '-i', 'dup.jsonl', '--collection', 'dup', '--policy', '*', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ records: 3, stored: 2, duplicates: { count: 1, ids: ['a0'] }, failed: [] });
    const enc = await sv(['encrypt', '-i', 'dup.jsonl', '-o', 'dup.sealed', '--policy', '*']);
    ok(enc);
    expect(enc.stderr).toMatch(/warning: 1 record reuses an id seen earlier in the input \("a0"\): decrypting the file returns each of them; ingesting it keeps the last record of each id/);
  });

  it('a ";"-separated CSV: the error suggests --delimiter', async () => {
    write(dir, 'semi.csv', `id;vector\nr0;${Array.from(data[0]!).join(' ')}\n`);
    const r = await sv(['encrypt', '-i', 'semi.csv', '-o', 'semi.sealed', '--policy', '*']);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(
      'sealvec: error: semi.csv:1: no vector column (looked for vector, embedding, embeddings, values; name it with --vector-column); the header is one column: is the file ";"-separated? try --delimiter \';\'\n',
    );
    ok(await sv(['encrypt', '-i', 'semi.csv', '-o', 'semi.sealed', '--policy', '*', '--delimiter', ';', '--quiet']));
  });

  it('decrypted plaintext is written mode 0600 by decrypt, get and export', async () => {
    ok(await sv(['decrypt', '-i', 'j.sealed', '--key', 'bob.key', '-o', 'plain-decrypt.jsonl', '--quiet']));
    ok(await sv(['get', '--key', 'bob.key', '--collection', 'j', 'd1', 'd2', '-o', 'plain-get.jsonl', '--quiet']));
    const exp = await sv(['export', '--key', 'bob.key', '--collection', 'j', '-o', 'plain-export.jsonl', '--json']);
    ok(exp);
    expect(JSON.parse(exp.stdout)).toMatchObject({ opened: N });
    for (const f of ['plain-decrypt.jsonl', 'plain-get.jsonl', 'plain-export.jsonl']) expect(mode(f), f).toBe(0o600);
    expect(readFileSync(join(dir, 'plain-get.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['d1', 'd2']);
  });

  it('sealvec collections lists collections with counts and schemes', async () => {
    const r = await sv(['collections', '--json']);
    if (!canList) {
      // The embedded backend of this build cannot list yet (listCollections is optional in the
      // Backend interface); the command says so. Its logic is covered in commands/collections.test.ts.
      console.log('skipped the listing checks: LocalBackend has no listCollections in this build');
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/cannot list its collections/);
      return;
    }
    ok(r);
    const byName = new Map(jsonLines(r).map((c) => [c.name, c]));
    expect(byName.get('csv')).toMatchObject({ records: 20, metric: 'cosine', blindIndexFields: ['year', 'status'], sealvec: true });
    expect(byName.get('eng')).toMatchObject({ records: N });
  });
});

/**
 * End to end, on the built binary: ingest into the embedded store and into Qdrant (the in-process
 * REST stand-in), search as users with different roles, inspect, and the rotation workflow
 * (keys rotate -> rewrap -> rotate -> keys retire) on files and on collections.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decrypted, jsonl, requireBuilt, sealvec, tempDir, vectors, write } from './helpers.js';

let dir: string;
let cleanup: () => void;
const D = 16;
const N = 120;
const data = vectors(N, D, 11);
/** A third HR-only, a third engineering-only, a third shared. */
const team = (i: number) => (['hr', 'engineering', 'all'] as const)[i % 3]!;
const POLICY = {
  hr: 'role=hr_manager,admin;department=human_resources',
  engineering: 'role=engineer,admin;department=engineering',
  all: 'role=hr_manager,engineer,admin',
};

const sv = (args: string[], input?: string, env?: Record<string, string>) => sealvec(args, { cwd: dir, ...(input !== undefined ? { input } : {}), ...(env ? { env } : {}) });

interface Hit {
  id: string;
  score: number;
  payload: { team: string; status: string; n: number };
}
async function searchIds(key: string, extra: string[] = [], query = 0): Promise<Hit[]> {
  write(dir, 'q.json', JSON.stringify(Array.from(data[query]!)));
  const r = await sv(['search', '--key', key, '--query-file', 'q.json', '-k', '10', '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout.trim().split('\n')[0]!) as { hits: Hit[] }).hits;
}

beforeAll(async () => {
  requireBuilt();
  ({ dir, cleanup } = tempDir());
  expect((await sv(['init', '--quiet'])).code).toBe(0);
  const users: [string, string[]][] = [
    ['alice', ['--role', 'hr_manager', '--department', 'human_resources', '--blind-index', 'status']],
    ['bob', ['--role', 'engineer', '--department', 'engineering']],
    ['admin', ['--role', 'admin', '--department', 'human_resources,engineering']],
  ];
  for (const [name, args] of users) expect((await sv(['keys', 'issue', ...args, '-o', `${name}.key`, '--quiet'])).code).toBe(0);
  write(dir, 'docs.jsonl', jsonl(data, (i) => ({ id: `d${i}`, policy: POLICY[team(i)], payload: { team: team(i), status: i % 4 === 0 ? 'open' : 'closed', n: i } })));
});
afterAll(() => cleanup());

describe('the embedded store', () => {
  it('ingests, then each user finds only what their key opens', async () => {
    const r = await sv(['ingest', '-i', 'docs.jsonl', '--collection', 'docs', '--blind-index', 'status', '--threads', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ collection: 'docs', records: N, stored: N, failed: [], created: true });

    const alice = await searchIds('alice.key', ['--collection', 'docs']);
    const bob = await searchIds('bob.key', ['--collection', 'docs']);
    const admin = await searchIds('admin.key', ['--collection', 'docs']);
    for (const h of [...alice, ...bob, ...admin]) expect(h.payload.team).toBe(team(h.payload.n));
    expect(alice).toHaveLength(10);
    expect(alice.every((h) => h.payload.team !== 'engineering')).toBe(true);
    expect(bob.every((h) => h.payload.team !== 'hr')).toBe(true);
    // The query is record d0 itself: whoever may read it finds it first, with cosine 1.
    expect(admin[0]).toMatchObject({ id: 'd0' });
    expect(admin[0]!.score).toBeCloseTo(1, 5);
    expect(alice[0]!.id).toBe('d0');
    expect(bob.find((h) => h.id === 'd0')).toBeUndefined();
  });

  it('filters on a blind-indexed field with --where', async () => {
    const open = await searchIds('alice.key', ['--collection', 'docs', '--where', 'status="open"']);
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((h) => h.payload.status === 'open')).toBe(true);
    const r = await sv(['search', '--key', 'bob.key', '--query-file', 'q.json', '--collection', 'docs', '--where', 'status=open']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no blind-index key for field "status"/);
  });

  it('prints readable results, and reads queries from stdin and .fvecs', async () => {
    const r = await sv(['search', '--key', 'alice.key', '--collection', 'docs', '--query-file', '-', '-k', '3'], JSON.stringify(Array.from(data[0]!)));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^query 0: 3 results \(\d+ candidates from embedded store .*, \d+ readable with this key\)\n +1 +1\.0000 +d0 +\{"team":"hr","status":"open","n":0\}\n/);
  });

  it('ingests a sealed file as is, into the collection it was sealed for', async () => {
    expect((await sv(['encrypt', '-i', 'docs.jsonl', '-o', 'docs.sealed', '--collection', 'sealed-docs'])).code).toBe(0);
    const wrong = await sv(['ingest', '-i', 'docs.sealed', '--collection', 'docs']);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/was sealed for collection "sealed-docs" \(records are bound to it\); ingest it with --collection sealed-docs/);
    const r = await sv(['ingest', '-i', 'docs.sealed', '--collection', 'sealed-docs', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ stored: N, failed: [] });
    const admin = await searchIds('admin.key', ['--collection', 'sealed-docs']);
    expect(admin[0]!.id).toBe('d0');
  });

  it('inspect shows what leaks without a key, and nothing of the payloads', async () => {
    const f = await sv(['inspect', 'docs.sealed', '--json']);
    expect(f.code, f.stderr).toBe(0);
    const j = JSON.parse(f.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ records: N, collection: 'sealed-docs', exactVector: N, epochs: { 1: N } });
    expect(f.stdout).not.toMatch(/human_resources|hr_manager|"closed"|"open"/);
    const rec = await sv(['inspect', 'docs.sealed', '--record', 'd3']);
    expect(rec.code).toBe(0);
    expect(rec.stdout).toMatch(/id +"d3"/);
    expect(rec.stdout).toMatch(/payload +\d+ bytes of JSON \(content sealed\)/);
    const col = await sv(['inspect', '--collection', 'docs', '--json']);
    expect(col.code, col.stderr).toBe(0);
    expect(JSON.parse(col.stdout)).toMatchObject({ records: N, blindIndex: { status: { distinct: 2 } } });
    const missing = await sv(['inspect', '--collection', 'nope']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/collection "nope" does not exist/);
  });

  it('rotation: keys rotate, rewrap and rotate files and collections, retire the old key', async () => {
    const before = JSON.parse((await sv(['keys', 'info', '--json'])).stdout) as { vectors: { primary: string } };
    expect((await sv(['keys', 'rotate', '--quiet'])).code).toBe(0);
    // Old user keys are for epoch 1; new ones for epoch 2.
    expect((await sv(['keys', 'issue', '--role', 'hr_manager', '--department', 'human_resources', '-o', 'alice2.key'])).code).toBe(0);

    // Files: rewrap (headers only) then rotate (re-encrypt under the new vector key).
    const rw = await sv(['rewrap', '-i', 'docs.sealed', '-o', 'docs.sealed', '--json']);
    expect(rw.code, rw.stderr).toBe(0);
    expect(JSON.parse(rw.stdout)).toMatchObject({ records: N, rewrapped: N, epoch: 2 });
    const stale = await sv(['decrypt', '-i', 'docs.sealed', '--key', 'alice.key']);
    expect(stale.code).toBe(6);
    expect(stale.stderr).toBe(
      'sealvec: error: alice.key opens nothing: the key is for epoch 1, but the records of collection "sealed-docs" are at epoch 2 (the key is older than the records); ask the operator for a key of the current epoch ("sealvec keys issue ...")\n',
    );
    const fresh = await sv(['decrypt', '-i', 'docs.sealed', '--key', 'alice2.key']);
    expect(fresh.code).toBe(0);
    expect(decrypted(fresh.stdout).size).toBe(80);
    const rt = await sv(['rotate', '-i', 'docs.sealed', '-o', 'docs.rotated', '--json']);
    expect(rt.code, rt.stderr).toBe(0);
    const newKid = (JSON.parse(rt.stdout) as { kid: string }).kid;
    expect(newKid).not.toBe(before.vectors.primary);
    const kids = new Set(readFileSync(join(dir, 'docs.rotated'), 'utf8').trim().split('\n').slice(1).map((l) => (JSON.parse(l) as { payload: { kid: string } }).payload.kid));
    expect([...kids]).toEqual([newKid]);
    const opened = await sv(['decrypt', '-i', 'docs.rotated', '--key', 'alice2.key']);
    expect(decrypted(opened.stdout).get('d0')!.payload).toEqual({ team: 'hr', status: 'open', n: 0 });

    // The collection: rotate (rewraps older epochs first), then retire the old key; search still works.
    const rc = await sv(['rotate', '--collection', 'docs', '--json']);
    expect(rc.code, rc.stderr).toBe(0);
    expect(JSON.parse(rc.stdout)).toMatchObject({ reencrypted: N, rewrapped: N, kid: newKid });
    // "sealed-docs" still holds records under the old key: retiring it now would lose them.
    // Without a listing backend the store cannot be checked at all: also refused.
    const early = await sv(['keys', 'retire', '--kid', before.vectors.primary]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/"sealed-docs" \(120 records\)|cannot list the collections of embedded store/);
    expect((await sv(['keys', 'retire', '--kid', before.vectors.primary, '--collection', 'docs', '--quiet'])).code).toBe(0);
    const hits = await searchIds('alice2.key', ['--collection', 'docs']);
    expect(hits[0]!.id).toBe('d0');
    // The old key now opens nothing: said so, with its own exit code, not "0 results".
    const old = await sv(['search', '--key', 'alice.key', '--query-file', 'q.json', '--collection', 'docs']);
    expect(old.code).toBe(6);
    expect(old.stderr).toMatch(/^sealvec: error: alice\.key opens nothing: the key is for epoch 1, but the records of collection "docs" are at epoch 2/);
    // Nothing left at the old epoch to rewrap.
    const again = await sv(['rewrap', '--collection', 'docs', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ rewrapped: 0 });
  });

  it('backend errors exit 4', async () => {
    const r = await sv(['search', '--key', 'alice2.key', '--query', '[1]', '--collection', 'missing']);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('sealvec: error: collection "missing" does not exist\n');
  });
});

/** The stand-in is @sealvec/qdrant test support (TypeScript source, not exported): loaded at run time. */
interface Standin {
  url: string;
  close(): Promise<void>;
  rejectUpserts(test: ((p: { payload: Record<string, unknown> }) => boolean) | null, message?: string): void;
}
const STANDIN = '../../../qdrant/src/__tests__/qdrant-standin/index.js';

describe('Qdrant (REST stand-in)', () => {
  let standin: Standin;
  beforeAll(async () => {
    const mod = (await import(/* @vite-ignore */ STANDIN)) as { QdrantStandin: { start(): Promise<Standin> } };
    standin = await mod.QdrantStandin.start();
  });
  afterAll(async () => {
    await standin.close();
  });

  it('ingests and searches over HTTP; QDRANT_URL works as well as --qdrant', async () => {
    const r = await sv(['ingest', '-i', 'docs.jsonl', '--qdrant', standin.url, '--collection', 'q', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ stored: N, backend: `Qdrant at ${standin.url}` });
    expect((await sv(['keys', 'issue', '--role', 'hr_manager', '--department', 'human_resources', '-o', 'q-alice.key', '--force'])).code).toBe(0);
    const s = await sv(['search', '--key', 'q-alice.key', '--query', JSON.stringify(Array.from(data[0]!)), '--collection', 'q', '--json'], undefined, { QDRANT_URL: standin.url });
    expect(s.code, s.stderr).toBe(0);
    expect((JSON.parse(s.stdout) as { hits: Hit[] }).hits[0]!.id).toBe('d0');
  });

  it('names exactly the records that did not land (exit 4), and a re-run fixes it', async () => {
    // Qdrant refuses a whole batch for one bad point: the batch holding d50 does not land.
    standin.rejectUpserts((p) => p.payload.id === 'd50', 'Wrong input: refused for the test');
    const r = await sv(['ingest', '-i', 'docs.jsonl', '--qdrant', standin.url, '--collection', 'q2', '--batch-size', '40', '--json']);
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout) as { stored: number; failed: { id: string; message: string }[] };
    const failed = report.failed.map((f) => f.id);
    expect(failed).toContain('d50');
    expect(report.stored + failed.length).toBe(N);
    expect(report.failed[0]!.message).toMatch(/refused for the test/);
    const err = JSON.parse(r.stderr) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('ERR_INGEST_INCOMPLETE');
    expect(err.error.message).toMatch(new RegExp(`^${failed.length} of 120 records did not land in "q2" \\(Qdrant at http://127\\.0\\.0\\.1:\\d+\\): d\\d+`));
    standin.rejectUpserts(null);
    const again = await sv(['ingest', '-i', 'docs.jsonl', '--qdrant', standin.url, '--collection', 'q2', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ stored: N, failed: [], created: false });
  });
});

describe('sealvec demo', () => {
  it('runs on the bundled dataset: recall close to plaintext, no leaks, a denied access', async () => {
    const r = await sv(['demo', '--json', '--queries', '10']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      dataset: { base: number };
      users: Record<string, { recall: number; policyViolations: number }>;
      denied: { get: string; open: string; aliceOpens: boolean };
    };
    expect(j.dataset.base).toBe(2000);
    for (const u of ['alice', 'bob', 'admin']) {
      expect(j.users[u]!.recall, u).toBeGreaterThanOrEqual(0.85);
      expect(j.users[u]!.policyViolations, u).toBe(0);
    }
    expect(j.denied).toMatchObject({ get: 'null', aliceOpens: true });
    expect(j.denied.open).toMatch(/^DecryptionFailed: "decryption failed"/);
  });
});

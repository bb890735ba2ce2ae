/**
 * Several processes on one embedded store: searches go on while another process ingests and see
 * each acknowledged batch on their next call; writers in different processes, to different
 * collections or the same one, all complete. The writers are ./__tests__/store-child.mjs on
 * the built package (packages/qdrant/dist), which `pnpm test` builds first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from './local.js';

const child = fileURLToPath(new URL('./__tests__/store-child.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/backend/local.js', import.meta.url));
const BATCH = 100;

interface Writer {
  /** Points of each acknowledged upsert, in order. */
  acked: { id: string; vector: number[] }[][];
  done: Promise<void>;
}

function writer(dir: string, collection: string, first: number, batches: number): Writer {
  const p = spawn(process.execPath, [child, dist, dir, collection, String(first), String(batches), 'upsert'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const w: Writer = { acked: [], done: Promise.resolve() };
  let out = '';
  let err = '';
  let pending: { id: string; vector: number[] }[] = [];
  p.stdout.setEncoding('utf8');
  p.stderr.setEncoding('utf8');
  p.stderr.on('data', (d: string) => (err += d));
  p.stdout.on('data', (d: string) => {
    out += d;
    const lines = out.split('\n');
    out = lines.pop() as string;
    for (const line of lines) {
      if (line.startsWith('begin ')) pending = (JSON.parse(line.slice(6)) as { points: { id: string; vector: number[] }[] }).points;
      if (line.startsWith('ok ')) w.acked.push(pending);
    }
  });
  w.done = new Promise((resolve, reject) =>
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer of ${collection} exited with ${code}: ${err}`)))),
  );
  return w;
}

let dir = '';
beforeEach(async () => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm run build\` first (the writer processes run the built package)`);
  dir = await mkdtemp(join(tmpdir(), 'sealvec-procs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function create(names: string[]): Promise<LocalBackend> {
  const b = await LocalBackend.open({ path: dir });
  for (const name of names) await b.createCollection({ name, dimension: 48, distance: 'Euclid' });
  return b;
}

describe('LocalBackend across processes', () => {
  it('searches never fail while another process ingests, and see every acknowledged batch on the next call', async () => {
    const b = await create(['live', 'other']);
    try {
      await b.upsert('other', [{ id: '00000000-0000-4000-8000-00000000abcd', vector: new Float32Array(48), payload: {} }]);
      const w = writer(dir, 'live', 0, 12);
      let finished = false;
      const ended = w.done.finally(() => {
        finished = true;
      });
      let checked = 0;
      let searches = 0;
      while (!finished || checked < w.acked.length) {
        const known = w.acked.length;
        // every search succeeds, whatever the writer is doing
        expect(await b.query('other', { vector: new Float32Array(48), limit: 1 })).toHaveLength(1);
        const n = await b.count('live');
        expect(n).toBeGreaterThanOrEqual(known * BATCH);
        for (; checked < known; checked++) {
          const p = w.acked[checked]![0]!;
          const [hit] = await b.query('live', { vector: Float32Array.from(p.vector), limit: 1 });
          expect(hit).toMatchObject({ id: p.id, score: 0 });
        }
        searches++;
        await new Promise((r) => setTimeout(r, 2));
      }
      await ended;
      expect(checked).toBe(12);
      expect(await b.count('live')).toBe(12 * BATCH);
      expect(searches).toBeGreaterThan(1);
    } finally {
      await b.close();
    }
  });

  it('writers in different processes complete side by side, to different collections and to the same one', async () => {
    const b = await create(['a', 'b', 'shared']);
    try {
      const writers = [writer(dir, 'a', 0, 8), writer(dir, 'b', 0, 8), writer(dir, 'shared', 0, 8), writer(dir, 'shared', 100, 8)];
      await Promise.all(writers.map((w) => w.done));
      expect(await b.count('a')).toBe(8 * BATCH);
      expect(await b.count('b')).toBe(8 * BATCH);
      expect(await b.count('shared')).toBe(16 * BATCH);
      const last = writers[3]!.acked.at(-1)![0]!;
      expect((await b.query('shared', { vector: Float32Array.from(last.vector), limit: 1 }))[0]!.id).toBe(last.id);
    } finally {
      await b.close();
    }
  });
});

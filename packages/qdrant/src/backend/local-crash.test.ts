/**
 * kill -9 mid-write: a child process writes in a loop (./__tests__/store-child.mjs) and reports
 * each acknowledged operation; the test kills it with SIGKILL at a random point, reopens the
 * store and checks that every acknowledged write is there with its exact payload and vector,
 * and that the operation in flight landed wholly or not at all. Several kill points in a row on
 * one store, so each round also reopens what earlier crashes left.
 *
 * The child runs the built package (packages/qdrant/dist), which `pnpm test` builds first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from './local.js';
import type { Payload } from './types.js';
import { rng } from './__tests__/fixtures.js';

const child = fileURLToPath(new URL('./__tests__/store-child.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/backend/local.js', import.meta.url));
const ROUNDS = process.env['SLOW'] ? 25 : 6;

type Op =
  | { op: 'upsert'; points: { id: string; vector: number[]; payload: Payload }[] }
  | { op: 'set'; updates: { id: string; payload: Payload }[] }
  | { op: 'delete'; ids: string[] };
type State = Map<string, { vector: number[]; payload: Payload }>;

function apply(state: State, o: Op): State {
  const s = new Map(state);
  if (o.op === 'upsert') for (const p of o.points) s.set(p.id, { vector: p.vector, payload: p.payload });
  if (o.op === 'set') for (const u of o.updates) s.set(u.id, { ...s.get(u.id)!, payload: { ...s.get(u.id)!.payload, ...u.payload } });
  if (o.op === 'delete') for (const id of o.ids) s.delete(id);
  return s;
}

function sorted(s: State) {
  return [...s].map(([id, p]) => ({ id, vector: p.vector, payload: p.payload })).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Runs the child from `first` until it has acknowledged `acks` operations, waits `delayMs`, kills it. */
async function runAndKill(dir: string, first: number, acks: number, delayMs: number): Promise<{ acked: Op[]; inFlight: Op | null; exit: string }> {
  const p = spawn(process.execPath, [child, dist, dir, 'crash', String(first), '-1', 'mixed'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let killed = false;
  // Decoded as a stream: a chunk may end inside a multi-byte character.
  p.stdout.setEncoding('utf8');
  p.stderr.setEncoding('utf8');
  p.stderr.on('data', (d: string) => (err += d));
  const exited = new Promise<string>((resolve) => p.on('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
  p.stdout.on('data', (d: string) => {
    out += d;
    if (!killed && (out.match(/^ok /gm)?.length ?? 0) >= acks) {
      killed = true;
      setTimeout(() => p.kill('SIGKILL'), delayMs);
    }
  });
  const exit = await exited;
  if (exit !== 'SIGKILL') throw new Error(`the writer ended on its own (${exit}) before it was killed: ${err}`);
  const acked: Op[] = [];
  let inFlight: Op | null = null;
  for (const line of out.split('\n')) {
    if (line.startsWith('begin ')) {
      try {
        inFlight = JSON.parse(line.slice(6)) as Op;
      } catch {
        inFlight = null; // cut while being printed: the operation had not started
      }
    } else if (line.startsWith('ok ')) {
      acked.push(inFlight as Op);
      inFlight = null;
    }
  }
  return { acked, inFlight, exit };
}

async function actual(dir: string): Promise<ReturnType<typeof sorted>> {
  const b = await LocalBackend.open({ path: dir });
  try {
    const all: ReturnType<typeof sorted> = [];
    let offset: string | undefined;
    for (;;) {
      const page = await b.scroll('crash', { limit: 500, withVector: true, ...(offset !== undefined ? { offset } : {}) });
      all.push(...page.points.map((p) => ({ id: p.id, vector: Array.from(p.vector), payload: p.payload })));
      if (page.nextOffset === null) break;
      offset = page.nextOffset;
    }
    expect(await b.count('crash')).toBe(all.length);
    return all;
  } finally {
    await b.close();
  }
}

describe('LocalBackend survives kill -9 mid-write', () => {
  let dir = '';
  beforeAll(async () => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm run build\` first (the writer process runs the built package)`);
    dir = await mkdtemp(join(tmpdir(), 'sealvec-crash-'));
    const b = await LocalBackend.open({ path: dir });
    await b.createCollection({ name: 'crash', dimension: 48, distance: 'Euclid' });
    await b.close();
  });
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  const seed = Date.now() >>> 0;
  it(`keeps every acknowledged write and nothing half-written, over ${ROUNDS} kill points (seed ${seed})`, async () => {
    const r = rng(seed);
    let expected: State = new Map();
    let next = 0;
    const landed: boolean[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { acked, inFlight } = await runAndKill(dir, next, 1 + Math.floor(r() * 8), Math.floor(r() * 25));
      for (const o of acked) expected = apply(expected, o);
      const got = await actual(dir);
      const without = sorted(expected);
      const withIt = inFlight === null ? without : sorted(apply(expected, inFlight));
      const matches = JSON.stringify(got) === JSON.stringify(without) ? 'without' : JSON.stringify(got) === JSON.stringify(withIt) ? 'with' : 'neither';
      // On a mismatch, show the difference against the acknowledged state.
      if (matches === 'neither') expect(got, `round ${round} (seed ${seed}): not the acknowledged state, with or without the write in flight`).toEqual(without);
      if (matches === 'with') expected = apply(expected, inFlight as Op);
      landed.push(matches === 'with' && inFlight !== null);
      // continue after the last batch that was started
      const upserts = [...acked, ...(inFlight ? [inFlight] : [])].filter((o): o is Extract<Op, { op: 'upsert' }> => o.op === 'upsert');
      const last = upserts.at(-1);
      if (last !== undefined) next = (last.points[0]!.payload['b'] as number) + 1;
    }
    expect(expected.size).toBeGreaterThan(0);
    console.log(`crash test (seed ${seed}): ${ROUNDS} kills, the write in flight landed in ${landed.filter(Boolean).length} of them`);
  });
});

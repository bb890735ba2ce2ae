/**
 * What every conformance case gets: a server (the stand-in or a real Qdrant), fresh collection
 * names that are removed afterwards, and shorthands for the requests Qdrant's own tests repeat.
 */
import { afterAll, expect, it } from 'vitest';
import { errorOf, type Reply, type Rest } from './rest.js';

export interface Target {
  label: string;
  rest: Rest;
  /** The server's version from GET /, e.g. [1, 19, 0]. */
  version: [number, number, number];
  /** True for the in-process stand-in: cases that would be heavy on a remote server run there only. */
  local: boolean;
}

const RUN = Math.floor(Math.random() * 0xffffffff).toString(16);
/** Shared by every harness, so names never repeat within a run. */
let n = 0;

/** A test case registrar: `it`, or `it.skip`. */
type Case = (name: string, fn: () => Promise<void>) => void;
const run: Case = (name, fn) => it(name, fn);
const skip: Case = (name, fn) => it.skip(name, fn);

export function harness(t: Target) {
  const made = new Set<string>();
  afterAll(async () => {
    for (const name of made) await t.rest.call('DELETE', `/collections/${name}`);
  });
  const ok = (r: Reply): Reply => {
    expect(r.status, errorOf(r)).toBe(200);
    return r;
  };
  const h = {
    /** A collection made from `body` (and `points`, with wait=true); its name is unique to the run. */
    async collection(body: unknown, points?: unknown[]): Promise<string> {
      const name = `sv_conf_${RUN}_${++n}`;
      made.add(name);
      ok(await t.rest.call('PUT', `/collections/${name}`, body));
      if (points !== undefined) ok(await t.rest.call('PUT', `/collections/${name}/points`, { points }, { wait: true }));
      return name;
    },
    ok,
    /** Sorted ids of a scroll with `filter` (tests/openapi/test_match_any_empty.py `_scroll_ids`). */
    async scrollIds(name: string, filter: unknown): Promise<(number | string)[]> {
      const r = ok(await t.rest.call('POST', `/collections/${name}/points/scroll`, { filter, limit: 10, with_payload: true }));
      return ((r.json.result as { points: { id: number | string }[] }).points.map((p) => p.id) as number[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
    async index(name: string, field: string, schema: unknown): Promise<Reply> {
      return t.rest.call('PUT', `/collections/${name}/index`, { field_name: field, field_schema: schema }, { wait: true });
    },
    async strict(name: string, config: Record<string, unknown>): Promise<void> {
      ok(await t.rest.call('PATCH', `/collections/${name}`, { strict_mode_config: config }));
    },
    /** `it` when the server is at least `version`; otherwise skipped, saying why. */
    since(version: string): Case {
      const want = version.split('.').map(Number);
      const have = t.version;
      for (let i = 0; i < 3; i++) {
        if ((have[i] ?? 0) > (want[i] ?? 0)) return run;
        if ((have[i] ?? 0) < (want[i] ?? 0)) {
          console.log(`skipping a conformance case for ${t.label}: it needs Qdrant >= ${version}, the server is ${have.join('.')}`);
          return skip;
        }
      }
      return run;
    },
    /** `it` on the stand-in only (saying why elsewhere): cases that would weigh on a remote server. */
    localOnly(why: string): Case {
      if (t.local) return run;
      console.log(`skipping a conformance case for ${t.label}: ${why} (it runs against the stand-in)`);
      return skip;
    },
  };
  return h;
}


export function resultOf<T>(r: Reply): T {
  return r.json.result as T;
}

/**
 * `sealvec search`: encrypt each query, ask the store for candidates, open those the user key may
 * read, re-rank by exact distance and print the top k with decrypted payloads. Records the key
 * may not open never appear, whatever the store returns. When no query finds anything the
 * command asks why: a key that can open nothing in the collection (wrong epoch, tenant, no policy
 * it satisfies) fails with exit 6; a genuine "no match" is exit 0.
 */
import { noAccess } from '../access.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { readQueries, type Query } from '../queries.js';
import { createReporter } from '../report.js';
import { formatVectorShortest } from '../output/float32-text.js';
import { openAsUser, type AsUserOptions } from './as-user.js';

export interface SearchCommandOptions extends AsUserOptions {
  query?: string | undefined;
  queryFile?: string | undefined;
  k?: number | undefined;
  where?: string[] | undefined;
  oversample?: number | undefined;
  candidates?: number | undefined;
  rerank?: boolean | undefined;
  withVector?: boolean | undefined;
}

/** `field=value`: the value as JSON when it parses as a number, boolean or string, else as text. */
export function parseWhere(list: readonly string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--where expected FIELD=VALUE, got ${JSON.stringify(item)}`);
    const field = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1);
    let value: string | number | boolean = raw;
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') value = v;
    } catch {
      // Plain text.
    }
    if (field in out) throw new UsageError(`--where gives ${field} twice`);
    out[field] = value;
  }
  return out;
}

function short(v: unknown, max = 80): string {
  const s = JSON.stringify(v) ?? 'null';
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** `--where` fields must be blind-indexed in the collection: a usage error (exit 2) otherwise. */
export function checkWhereFields(where: Record<string, unknown>, blindIndexFields: readonly string[], collection: string): void {
  for (const field of Object.keys(where)) {
    if (!blindIndexFields.includes(field)) {
      throw new UsageError(
        `--where ${field}: field "${field}" is not blind-indexed in collection "${collection}" (${
          blindIndexFields.length ? `blind-indexed: ${blindIndexFields.join(', ')}` : 'it has no blind-indexed fields; ingest with --blind-index FIELD'
        })`,
      );
    }
  }
}

/** One stderr line: the re-rank depth searched and its time per query (median), store round trips included. */
export function costLine(preset: string | null, opts: Pick<SearchCommandOptions, 'k' | 'oversample' | 'candidates' | 'rerank'>, defaultOversample: number, times: readonly number[]): string {
  const k = opts.k ?? 10;
  const depth =
    opts.candidates !== undefined
      ? `${opts.candidates} candidates (--candidates)`
      : `k x ${opts.oversample ?? defaultOversample} = ${k * (opts.oversample ?? defaultOversample)} candidates (${opts.oversample !== undefined ? '--oversample' : `preset ${preset ?? 'none'}`})`;
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return `sealvec: re-rank depth ${opts.rerank === false ? 'none (--no-rerank)' : depth}; ${median.toFixed(1)} ms per query (median of ${times.length}, store round trips included)`;
}

export async function search(opts: SearchCommandOptions, io: Io): Promise<void> {
  const where = parseWhere(opts.where ?? []);
  let queries: Query[] = [];
  const { user, col, backend, label, name } = await openAsUser(opts, io, async () => {
    queries = await readQueries(opts, io);
  });
  const r = createReporter(io, opts);
  try {
    checkWhereFields(where, col.scheme.blindIndexFields, name);
    const lines: string[] = [];
    let found = 0;
    const times: number[] = [];
    for (const q of queries) {
      const started = performance.now();
      const res = await col.search(q.vector, {
        userKey: user,
        k: opts.k ?? 10,
        ...(opts.oversample !== undefined ? { oversample: opts.oversample } : {}),
        ...(opts.candidates !== undefined ? { candidates: opts.candidates } : {}),
        rerank: opts.rerank !== false,
        where,
        withVector: opts.withVector === true,
      });
      const ms = performance.now() - started;
      times.push(ms);
      found += res.hits.length;
      const hits = res.hits.map((h) => ({
        id: h.id,
        score: h.score,
        payload: h.payload,
        ...(h.vector ? { vector: Array.from(h.vector) } : {}),
      }));
      if (opts.json) {
        io.stdout.write(`${JSON.stringify({ query: q.id, hits, candidates: res.candidates, opened: res.opened, skipped: res.skipped, ms: Math.round(ms * 100) / 100 })}\n`);
        continue;
      }
      lines.push(
        `query ${q.id}: ${hits.length} result${hits.length === 1 ? '' : 's'} (${res.candidates} candidates from ${label}, ${res.opened} readable with this key)`,
      );
      hits.forEach((h, i) => {
        const vec = opts.withVector && res.hits[i]!.vector ? `  vector=[${formatVectorShortest(res.hits[i]!.vector!).slice(0, 60)}…]` : '';
        lines.push(`  ${String(i + 1).padStart(3)}  ${h.score.toFixed(4).padStart(9)}  ${h.id}  ${short(h.payload)}${vec}`);
      });
      if (res.skipped.length > 0) lines.push(`  (${res.skipped.length} stored points could not be decoded and were skipped)`);
    }
    if (!opts.json) r.result(null, lines);
    if (found === 0) {
      const d = await col.diagnoseAccess(user);
      if (d.opensNothing) throw noAccess(opts.key, d, { collection: name });
      r.note(`sealvec: no results: ${d.message}`);
    }
    // What the depth costs (issue #14): deeper re-rank buys recall at higher noise, paid here.
    if (times.length > 0) r.note(costLine(col.scheme.preset, opts, col.defaultOversample, times));
  } finally {
    await backend.close();
  }
}

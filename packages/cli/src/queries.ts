/**
 * Query vectors for `search`: inline JSON (`--query "[...]"`), or a file / stdin in any input
 * format, each record one query. A JSON file holding one flat array of numbers is one query.
 */
import { Malformed } from '@sealvec/core';
import { UsageError } from './errors.js';
import { inputFromSource, openSource } from './input/index.js';
import { checkFinite, parseJson, vectorFromJson } from './input/record.js';
import { sniffFormat, formatFromPath } from './input/detect.js';
import type { Io } from './io.js';

export interface Query {
  id: string;
  vector: Float32Array;
}

/** Query files are read whole when they are one JSON document; this bounds that. */
const MAX_JSON_QUERY_BYTES = 64 * 1024 * 1024;

export function queryFromJsonText(text: string, where: string): Query[] {
  const v = parseJson(text, where);
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null)) {
    const vector = vectorFromJson(v, where, 'query');
    checkFinite(vector, where);
    return [{ id: '0', vector }];
  }
  if (Array.isArray(v)) {
    return v.map((item, i) => {
      const w = `${where} (query ${i})`;
      if (Array.isArray(item)) return { id: String(i), vector: vectorFromJson(item, w, 'query') };
      if (typeof item === 'object' && item !== null) {
        const o = item as Record<string, unknown>;
        const vec = o.vector ?? o.embedding;
        if (vec === undefined) throw new Malformed(`${w}: query has no "vector" field`);
        return { id: typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : String(i), vector: vectorFromJson(vec, w, 'vector') };
      }
      throw new Malformed(`${w}: expected an array of numbers or an object with "vector"`);
    });
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const vec = o.vector ?? o.embedding;
    if (vec === undefined) throw new Malformed(`${where}: query has no "vector" field`);
    return [{ id: typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : '0', vector: vectorFromJson(vec, where, 'vector') }];
  }
  throw new Malformed(`${where}: expected a JSON array of numbers`);
}

export async function readQueries(opts: { query?: string | undefined; queryFile?: string | undefined }, io: Io): Promise<Query[]> {
  if (opts.query !== undefined && opts.queryFile !== undefined) throw new UsageError('give --query or --query-file, not both');
  if (opts.query !== undefined) return queryFromJsonText(opts.query, '--query');
  if (opts.queryFile === undefined) throw new UsageError('give the query vector with --query "[...]" or --query-file FILE (- for stdin)');
  const path = opts.queryFile;
  const source = await openSource(path, io.stdin, io.cwd);
  try {
    const head = await source.peek();
    const format = (path !== '-' ? formatFromPath(path) : undefined) ?? sniffFormat(head);
    if (format === 'json' || (format === 'jsonl' && path === '-')) {
      // One JSON document (or JSONL on stdin): small enough to read whole.
      const parts: Buffer[] = [];
      let n = 0;
      for await (const c of source.chunks()) {
        n += c.length;
        if (n > MAX_JSON_QUERY_BYTES) throw new Malformed(`${source.name}: query file larger than ${MAX_JSON_QUERY_BYTES} bytes`);
        parts.push(c);
      }
      const text = Buffer.concat(parts).toString('utf8');
      if (format === 'json' || text.trimStart().startsWith('[')) return queryFromJsonText(text, source.name);
      return text
        .split('\n')
        .map((line, i) => ({ line, i }))
        .filter(({ line }) => line.trim() !== '')
        .flatMap(({ line, i }) => queryFromJsonText(line, `${source.name}:${i + 1}`));
    }
    const input = await inputFromSource(source, path, {});
    const out: Query[] = [];
    for await (const r of input.records()) out.push({ id: r.id, vector: r.vector });
    return out;
  } finally {
    await source.close();
  }
}

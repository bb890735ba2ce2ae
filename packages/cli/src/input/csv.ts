/**
 * CSV and TSV (RFC 4180 quoting: fields in double quotes may hold delimiters, quotes written
 * twice, and newlines). The first row names the columns. One column holds the vector, either as
 * a JSON array (`"[0.1, 0.2]"`) or as numbers separated by spaces, commas or semicolons; `id` and
 * `policy` columns are used when present; every other column goes into the payload as a string,
 * except the typed columns (blind-indexed fields): there a cell that is a JSON number or
 * true/false becomes that value, the rule `search --where` applies to its value too.
 * Read in chunks; one row is held in memory at a time.
 */
import { InputTooLarge, InvalidVector, Malformed } from '@sealvec/core';
import { StringDecoder } from 'node:string_decoder';
import { checkFinite, checkId, DimensionCheck, MAX_RECORD_CHARS, parseJson, vectorFromJson } from './record.js';
import type { Source } from './source.js';
import type { InputRecord, ReaderOptions } from './types.js';

export const DEFAULT_VECTOR_COLUMNS = ['vector', 'embedding', 'embeddings', 'values'] as const;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export interface CsvRow {
  fields: string[];
  /** 1-based line where the row starts. */
  line: number;
}

/** Incremental RFC 4180 parser: feed text, get the rows completed so far. */
export class CsvParser {
  readonly #delim: number;
  readonly #name: string;
  #fields: string[] = [];
  #field = '';
  #inQuotes = false;
  #afterQuote = false;
  #line = 1;
  #rowLine = 1;
  #rowChars = 0;

  constructor(name: string, delimiter: string) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RangeError(`"delimiter" expected one character other than a quote or newline, got ${JSON.stringify(delimiter)}`);
    }
    this.#name = name;
    this.#delim = delimiter.charCodeAt(0);
  }

  #endField(): void {
    this.#fields.push(this.#field);
    this.#field = '';
  }

  #endRow(out: CsvRow[]): void {
    this.#endField();
    const fields = this.#fields;
    this.#fields = [];
    // A blank line is no row (a single empty unquoted field).
    if (!(fields.length === 1 && fields[0] === '')) out.push({ fields, line: this.#rowLine });
    this.#rowChars = 0;
  }

  feed(s: string): CsvRow[] {
    const out: CsvRow[] = [];
    const d = this.#delim;
    let seg = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.#inQuotes) {
        if (c === QUOTE) {
          this.#field += s.slice(seg, i);
          this.#inQuotes = false;
          this.#afterQuote = true;
          seg = i + 1;
        } else if (c === LF) this.#line++;
        continue;
      }
      if (this.#afterQuote) {
        seg = i + 1;
        if (c === QUOTE) {
          this.#field += '"';
          this.#inQuotes = true;
          this.#afterQuote = false;
        } else if (c === d) {
          this.#afterQuote = false;
          this.#endField();
        } else if (c === LF) {
          this.#afterQuote = false;
          this.#endRow(out);
          this.#line++;
          this.#rowLine = this.#line;
        } else if (c !== CR) {
          throw new Malformed(`${this.#name}:${this.#line}: unexpected character after a closing quote`);
        }
        continue;
      }
      if (c === d) {
        this.#field += s.slice(seg, i);
        this.#endField();
        seg = i + 1;
      } else if (c === LF) {
        let f = this.#field + s.slice(seg, i);
        if (f.charCodeAt(f.length - 1) === CR) f = f.slice(0, -1);
        this.#field = f;
        this.#endRow(out);
        this.#line++;
        this.#rowLine = this.#line;
        seg = i + 1;
      } else if (c === QUOTE && i === seg && this.#field === '') {
        this.#inQuotes = true;
        seg = i + 1;
      }
    }
    if (!this.#afterQuote) this.#field += s.slice(seg);
    this.#rowChars += s.length;
    if (this.#rowChars > MAX_RECORD_CHARS && this.#fields.length + this.#field.length > 0) {
      throw new InputTooLarge(`${this.#name}:${this.#rowLine}: row is longer than ${MAX_RECORD_CHARS} characters`);
    }
    return out;
  }

  end(): CsvRow[] {
    if (this.#inQuotes) throw new Malformed(`${this.#name}:${this.#rowLine}: a quoted field is not closed before the end of the file`);
    const out: CsvRow[] = [];
    if (this.#fields.length > 0 || this.#field !== '' || this.#afterQuote) {
      if (this.#field.charCodeAt(this.#field.length - 1) === CR) this.#field = this.#field.slice(0, -1);
      this.#afterQuote = false;
      this.#endRow(out);
    }
    return out;
  }
}

const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/** A vector cell: a JSON array, or numbers separated by white space, commas or semicolons. */
export function vectorFromCell(cell: string, where: string, column: string): Float32Array {
  const t = cell.trim();
  if (t.startsWith('[')) return vectorFromJson(parseJson(t, where), where, column);
  if (t === '') throw new InvalidVector(`${where}: column "${column}" is empty`);
  const parts = t.split(/[\s,;]+/).filter((p) => p !== '');
  const out = new Float32Array(parts.length);
  const src = new Float64Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const x = Number(p);
    if (Number.isNaN(x) && !NON_FINITE.test(p)) {
      throw new Malformed(`${where}: column "${column}" value ${i} (${JSON.stringify(p.slice(0, 40))}) is not a number`);
    }
    src[i] = NON_FINITE.test(p) && !/nan/i.test(p) ? (p.startsWith('-') ? -Infinity : Infinity) : x;
    out[i] = src[i]!;
  }
  checkFinite(out, where, src);
  return out;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** A typed column's cell: a JSON number or true/false becomes that value, anything else stays the string. */
export function typedCell(cell: string): string | number | boolean {
  const t = cell.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (JSON_NUMBER.test(t)) {
    const n = Number(t);
    if (Number.isFinite(n)) return n;
  }
  return cell;
}

/** When a header did not split, the delimiter it seems to use instead (for the error's hint). */
export function likelyDelimiter(header: readonly string[], delimiter: string): string | undefined {
  if (header.length !== 1) return undefined;
  const counts = [';', '\t', '|', ','].filter((d) => d !== delimiter).map((d) => [d, header[0]!.split(d).length - 1] as const);
  const best = counts.sort((a, b) => b[1] - a[1])[0];
  return best !== undefined && best[1] > 0 ? best[0] : undefined;
}

export async function* readCsv(source: Source, delimiter: string, options: ReaderOptions = {}): AsyncGenerator<InputRecord> {
  const delim = options.delimiter ?? delimiter;
  const parser = new CsvParser(source.name, delim);
  const typed = new Set(options.typedColumns ?? []);
  const decoder = new StringDecoder('utf8');
  const dims = new DimensionCheck(options.dimension);
  const prefix = options.idPrefix ?? '';
  let header: string[] | undefined;
  let vectorCol = -1;
  let idCol = -1;
  let policyCol = -1;
  let index = 0;
  let first = true;

  const toRecord = (row: CsvRow): InputRecord | undefined => {
    if (header === undefined) {
      header = row.fields.map((f) => f.trim());
      const named = (want: string | undefined, defaults: readonly string[], what: string, required: boolean): number => {
        if (want !== undefined) {
          const i = header!.indexOf(want);
          if (i < 0) throw new Malformed(`${source.name}:${row.line}: no column named ${JSON.stringify(want)} for the ${what} (columns: ${header!.join(', ')})`);
          return i;
        }
        for (const d of defaults) {
          const i = header!.indexOf(d);
          if (i >= 0) return i;
        }
        if (required) {
          const other = likelyDelimiter(header!, delim);
          const hint = other !== undefined ? `; the header is one column: is the file ${other === '\t' ? 'tab' : JSON.stringify(other)}-separated? try --delimiter ${other === '\t' ? "'\\t'" : `'${other}'`}` : '';
          throw new Malformed(
            `${source.name}:${row.line}: no vector column (looked for ${defaults.join(', ')}; name it with --vector-column)${hint}`,
          );
        }
        return -1;
      };
      vectorCol = named(options.vectorColumn, DEFAULT_VECTOR_COLUMNS, 'vector', true);
      idCol = named(options.idColumn, ['id'], 'ids', false);
      policyCol = named(options.policyColumn, ['policy'], 'policies', false);
      return undefined;
    }
    const where = `${source.name}:${row.line}`;
    if (row.fields.length !== header.length) {
      throw new Malformed(`${where}: row has ${row.fields.length} fields, the header has ${header.length}`);
    }
    const vector = vectorFromCell(row.fields[vectorCol]!, where, header[vectorCol]!);
    dims.check(vector.length, where);
    const idCell = idCol >= 0 ? row.fields[idCol]!.trim() : '';
    const rec: InputRecord = { id: idCell === '' ? prefix + index : checkId(idCell, where), vector, where };
    index++;
    if (policyCol >= 0 && row.fields[policyCol]!.trim() !== '') rec.policy = row.fields[policyCol]!.trim();
    let payload: Record<string, string | number | boolean> | undefined;
    for (let i = 0; i < header.length; i++) {
      if (i === vectorCol || i === idCol || i === policyCol) continue;
      const name = header[i]!;
      (payload ??= {})[name] = typed.has(name) ? typedCell(row.fields[i]!) : row.fields[i]!;
    }
    if (payload !== undefined) rec.payload = payload;
    rec.size = row.fields.reduce((n, f) => n + f.length + 1, 0);
    return rec;
  };

  for await (const chunk of source.chunks()) {
    let s = decoder.write(chunk);
    if (first) {
      first = false;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    for (const row of parser.feed(s)) {
      const rec = toRecord(row);
      if (rec) yield rec;
    }
  }
  for (const row of parser.feed(decoder.end())) {
    const rec = toRecord(row);
    if (rec) yield rec;
  }
  for (const row of parser.end()) {
    const rec = toRecord(row);
    if (rec) yield rec;
  }
}

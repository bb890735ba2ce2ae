/**
 * A JSON array of records (`[{...}, {...}]` or `[[0.1, ...], ...]`), read element by element:
 * a small scanner finds where each top-level element ends (tracking strings, escapes and
 * nesting), so only one element is ever held in memory, however large the array.
 */
import { InputTooLarge, Malformed } from '@sealvec/core';
import { StringDecoder } from 'node:string_decoder';
import { DimensionCheck, MAX_RECORD_CHARS, parseJson, recordFromJson } from './record.js';
import type { Source } from './source.js';
import type { InputRecord, ReaderOptions } from './types.js';

const enum State {
  /** Before the opening `[`. */
  Start,
  /** After `[` or `,`: white space, then an element (or `]` right after `[`). */
  BeforeElement,
  /** Inside an element. */
  InElement,
  /** After the closing `]`: white space only. */
  End,
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export async function* readJsonArray(source: Source, options: ReaderOptions = {}): AsyncGenerator<InputRecord> {
  const dims = new DimensionCheck(options.dimension);
  const prefix = options.idPrefix ?? '';
  const decoder = new StringDecoder('utf8');
  let state = State.Start;
  let line = 1;
  let depth = 0;
  const closers: number[] = [];
  let inString = false;
  let escaped = false;
  let parts: string[] = [];
  let partsLength = 0;
  let elementLine = 1;
  let index = 0;
  let first = true;
  let sawElement = false;

  const at = (l: number) => `${source.name}:${l}`;

  for await (const chunk of source.chunks()) {
    let s = decoder.write(chunk);
    if (first) {
      first = false;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    let segStart = state === State.InElement ? 0 : -1;
    const ready: { text: string; line: number }[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (state === State.InElement) {
        if (c === 0x0a) line++;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 0x5c) escaped = true;
          else if (c === 0x22) inString = false;
          continue;
        }
        if (c === 0x22) inString = true;
        else if (c === 0x5b || c === 0x7b) {
          // Remember the closer each opener needs, so a mismatched one is caught where it is.
          closers.push(c === 0x5b ? 0x5d : 0x7d);
          depth++;
        } else if (c === 0x5d || c === 0x7d) {
          if (depth > 0 && closers[depth - 1] !== c) throw new Malformed(`${at(line)}: malformed JSON (unexpected "${String.fromCharCode(c)}")`);
          if (depth === 0) {
            if (c === 0x7d) throw new Malformed(`${at(line)}: malformed JSON (unexpected "}")`);
            parts.push(s.slice(segStart, i));
            ready.push({ text: parts.join(''), line: elementLine });
            parts = [];
            partsLength = 0;
            state = State.End;
            continue;
          }
          closers.pop();
          depth--;
        } else if (c === 0x2c && depth === 0) {
          parts.push(s.slice(segStart, i));
          ready.push({ text: parts.join(''), line: elementLine });
          parts = [];
          partsLength = 0;
          state = State.BeforeElement;
        }
        continue;
      }
      if (c === 0x0a) {
        line++;
        continue;
      }
      if (isSpace(c)) continue;
      switch (state) {
        case State.Start:
          if (c !== 0x5b) throw new Malformed(`${at(line)}: expected a JSON array ("[") of records`);
          state = State.BeforeElement;
          break;
        case State.BeforeElement:
          if (c === 0x5d && !sawElement) {
            state = State.End;
            break;
          }
          if (c === 0x5d || c === 0x2c) throw new Malformed(`${at(line)}: malformed JSON (missing array element)`);
          state = State.InElement;
          sawElement = true;
          segStart = i;
          elementLine = line;
          depth = 0;
          closers.length = 0;
          inString = false;
          escaped = false;
          i--; // rescan this character inside the element
          break;
        case State.End:
          throw new Malformed(`${at(line)}: unexpected data after the end of the JSON array`);
      }
    }
    if (state === State.InElement) {
      const piece = s.slice(segStart);
      parts.push(piece);
      partsLength += piece.length;
      if (partsLength > MAX_RECORD_CHARS) throw new InputTooLarge(`${at(elementLine)}: array element is longer than ${MAX_RECORD_CHARS} characters`);
    }
    for (const r of ready) {
      const where = at(r.line);
      const rec = recordFromJson(parseJson(r.text, where), where, index++, prefix, dims);
      rec.size = r.text.length;
      yield rec;
    }
  }
  if (state === State.Start) return; // empty input: the caller reports EmptyInput
  if ((state as State) !== State.End) throw new Malformed(`${at(line)}: the JSON array is not closed (file truncated?)`);
}

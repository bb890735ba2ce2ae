/**
 * Splits a chunked byte stream into UTF-8 lines (LF or CRLF), with 1-based line numbers.
 * Memory is bounded by the longest line, and a line longer than MAX_RECORD_CHARS is refused.
 */
import { InputTooLarge } from '@sealvec/core';
import { MAX_RECORD_CHARS } from './record.js';
import type { Source } from './source.js';

export interface Line {
  text: string;
  line: number;
}

export async function* readLines(source: Source): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  const emit = (buf: Buffer): Line => {
    line++;
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 0x0d) end--;
    let text = buf.toString('utf8', 0, end);
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text, line };
  };
  for await (const chunk of source.chunks()) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      if (pendingBytes > 0) {
        pending.push(chunk.subarray(start, nl));
        const whole = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        yield emit(whole);
      } else {
        yield emit(chunk.subarray(start, nl));
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_RECORD_CHARS) {
        throw new InputTooLarge(`${source.name}:${line + 1}: line is longer than ${MAX_RECORD_CHARS} bytes`);
      }
    }
  }
  if (pendingBytes > 0) yield emit(Buffer.concat(pending));
}

/** JSON Lines: one record per line (`{id, vector, payload?, policy?}` or an array); blank lines skipped. */
import { DimensionCheck, parseJson, recordFromJson } from './record.js';
import { readLines } from './lines.js';
import type { Source } from './source.js';
import type { InputRecord, ReaderOptions } from './types.js';

export async function* readJsonl(source: Source, options: ReaderOptions = {}): AsyncGenerator<InputRecord> {
  const dims = new DimensionCheck(options.dimension);
  const prefix = options.idPrefix ?? '';
  let index = 0;
  for await (const { text, line } of readLines(source)) {
    if (text.trim() === '') continue;
    const where = `${source.name}:${line}`;
    const rec = recordFromJson(parseJson(text, where), where, index++, prefix, dims);
    rec.size = text.length;
    yield rec;
  }
}

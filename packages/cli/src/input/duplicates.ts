/**
 * Record ids seen more than once in one input. The library refuses a batch with a repeated id;
 * a file is streamed in many batches, where a repeated id silently replaces the earlier record in
 * a collection (point ids derive from record ids). The CLI lets that happen, as a re-run would,
 * but counts it and names the ids, so "stored 1 record" from a 2-record file is never a surprise.
 */
import type { InputRecord } from './types.js';

/** Duplicated ids named in messages (all are counted). */
export const SHOWN_DUPLICATES = 10;

export class DuplicateIds {
  /** id -> whether it has repeated. */
  readonly #seen = new Map<string, boolean>();
  /** Records whose id was already seen. */
  count = 0;
  /** Distinct ids that repeated. */
  repeatedIds = 0;
  /** The first few repeated ids, each once. */
  readonly examples: string[] = [];

  /** Records an id; true when it was seen before. */
  add(id: string): boolean {
    const repeated = this.#seen.get(id);
    if (repeated === undefined) {
      this.#seen.set(id, false);
      return false;
    }
    this.count++;
    if (!repeated) {
      this.#seen.set(id, true);
      this.repeatedIds++;
      if (this.examples.length < SHOWN_DUPLICATES) this.examples.push(id);
    }
    return true;
  }

  /** Distinct ids seen. */
  get distinct(): number {
    return this.#seen.size;
  }

  /** One sentence for a warning, or undefined when there was no duplicate. */
  describe(consequence: string): string | undefined {
    if (this.count === 0) return undefined;
    const more = this.repeatedIds > this.examples.length ? ', ...' : '';
    return `${this.count} record${this.count === 1 ? '' : 's'} reuse${this.count === 1 ? 's' : ''} an id seen earlier in the input (${this.examples.map((i) => JSON.stringify(i)).join(', ')}${more}): ${consequence}`;
  }

  json(): { count: number; ids: string[] } {
    return { count: this.count, ids: [...this.examples] };
  }
}

/** Passes records through, recording their ids. */
export async function* trackDuplicates(records: AsyncIterable<InputRecord>, dups: DuplicateIds): AsyncGenerator<InputRecord> {
  for await (const r of records) {
    dups.add(r.id);
    yield r;
  }
}

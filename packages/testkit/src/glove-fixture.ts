/**
 * The GloVe fixture (fixtures/datasets/glove100: 2,000 words x 100 dimensions, PDDL / MIT) as a
 * word -> vector lookup: a second, smaller "embedding model" for tests that need one of another
 * dimension than the OpenAI fixture's 1536.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readFvecs } from './fvecs.js';

const DIR = new URL('../../../fixtures/datasets/glove100/', import.meta.url);

let words: Map<string, readonly number[]> | undefined;

function load(): Map<string, readonly number[]> {
  if (words !== undefined) return words;
  const names = readFileSync(fileURLToPath(new URL('base_words.txt', DIR)), 'utf8').trimEnd().split('\n');
  const vectors = readFvecs(fileURLToPath(new URL('base.fvecs', DIR)));
  words = new Map(names.map((w, i) => [w, Object.freeze(Array.from(vectors[i]!))]));
  return words;
}

/** The 100-d GloVe vector of a word among the fixture's 2,000; other words throw. */
export function lookupWord(word: string): number[] {
  const v = load().get(word);
  if (v === undefined) throw new RangeError(`"word" is not one of the GloVe fixture's words: ${JSON.stringify(word)}`);
  return [...v];
}

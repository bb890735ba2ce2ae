import { printedSources, runExample } from '@sealvec/testkit';
import { describe, expect, it } from 'vitest';

// The README's "Use with LlamaIndex.TS" example (examples/llamaindex.mjs) must keep working.
describe('README LlamaIndex.TS example (examples/llamaindex.mjs)', () => {
  it("runs, and each user retrieves only their department's chunks", () => {
    const out = runExample('llamaindex', ['llamaindex', 'testkit']);
    if (out === undefined) return;
    const research = expect.stringMatching(/^(rag|evals)$/);
    const product = expect.stringMatching(/^(models|fine-tuning)$/);
    expect(printedSources(out, 'alice')).toEqual([research, research, research]);
    expect(printedSources(out, 'bob')).toEqual([product, product, product]);
  });
});

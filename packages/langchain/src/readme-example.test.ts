import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's "Use with LangChain.js" example must keep working. It imports the built packages,
// which the root `pnpm test` builds before running vitest.
const example = fileURLToPath(new URL('../../../examples/langchain.mjs', import.meta.url));
const built = ['langchain', 'testkit'].map((p) => fileURLToPath(new URL(`../../${p}/dist/index.js`, import.meta.url)));

/** The sources a printed line lists, e.g. `alice [ 'rag: ...', 'evals: ...' ]` -> rag, evals. */
const sources = (out: string, prefix: string) => {
  const line = out.split(/\n(?=\S)/).find((l) => l.startsWith(`${prefix} [`))!;
  return [...line.matchAll(/'([a-z-]+): /g)].map((m) => m[1]);
};

describe('README LangChain.js example (examples/langchain.mjs)', () => {
  it('runs, and each user retrieves only their department\'s chunks', () => {
    if (!built.every(existsSync)) {
      console.log('skipping README LangChain example: packages are not built (run `pnpm build`; `pnpm test` does it)');
      return;
    }
    const out = execFileSync(process.execPath, [example], { encoding: 'utf8' });
    expect(sources(out, 'alice')).toHaveLength(3);
    expect(sources(out, 'alice').every((s) => s === 'rag' || s === 'evals')).toBe(true);
    expect(sources(out, 'bob')).toHaveLength(3);
    expect(sources(out, 'bob').every((s) => s === 'models' || s === 'fine-tuning')).toBe(true);
    expect(sources(out, 'alice, evals only')).toEqual(['evals', 'evals']);
  });
});

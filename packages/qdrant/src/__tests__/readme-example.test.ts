import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's library example must keep working. It imports the built packages, which the
// root `pnpm test` builds before running vitest.
const example = fileURLToPath(new URL('../../../../examples/library.mjs', import.meta.url));
const built = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('README library example (examples/library.mjs)', () => {
  it('runs and shows each user only what their key opens', () => {
    if (!existsSync(built)) {
      console.log('skipping README example: packages are not built (run `pnpm build`; `pnpm test` does it)');
      return;
    }
    const out = execFileSync(process.execPath, [example], { encoding: 'utf8' });
    const alice = out.split('\n').find((l) => l.startsWith('alice'))!;
    const bob = out.split('\n').find((l) => l.startsWith('bob'))!;
    expect(alice).toContain('salary-review');
    expect(alice).not.toContain('search-design');
    expect(bob).toContain('search-design');
    expect(bob).not.toContain('salary-review');
  });
});

/** Runs the README's examples (examples/*.mjs) on the built packages, as the README shows them. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The output of `node examples/<name>.mjs`, or undefined (with the reason printed) when the
 * packages it imports are not built yet: the root `pnpm test` builds them first.
 */
export function runExample(name: string, packages: readonly string[]): string | undefined {
  const built = packages.map((p) => fileURLToPath(new URL(`../../${p}/dist/index.js`, import.meta.url)));
  if (!built.every(existsSync)) {
    console.log(`skipping README example ${name}: packages are not built (run \`pnpm build\`; \`pnpm test\` does it)`);
    return undefined;
  }
  return execFileSync(process.execPath, [fileURLToPath(new URL(`../../../examples/${name}.mjs`, import.meta.url))], { encoding: 'utf8' });
}

/** The sources a printed line lists: `alice [ 'rag: ...', 'evals: ...' ]` -> ['rag', 'evals']. */
export function printedSources(out: string, prefix: string): string[] {
  const line = out.split(/\n(?=\S)/).find((l) => l.startsWith(`${prefix} [`)) ?? '';
  return [...line.matchAll(/'([a-z-]+): /g)].map((m) => m[1]!);
}

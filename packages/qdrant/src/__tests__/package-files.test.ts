/**
 * What `npm publish` would ship for @sealvec/qdrant: never the Qdrant stand-in, the conformance
 * suite or any other test support (they live under src/**\/__tests__, which `files` excludes and
 * tsconfig.build.json does not compile). Asks npm itself (`npm pack --dry-run`), so the check is
 * the packing rules, not our reading of them.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkgDir = fileURLToPath(new URL('../..', import.meta.url));

describe('@sealvec/qdrant package contents', () => {
  it('ships the library and its sources, never the stand-in or other test support', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: pkgDir, maxBuffer: 16 * 1024 * 1024 });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('src/backend/qdrant.ts');
    expect(files).toContain('package.json');
    const leaked = files.filter((f) => /__tests__|standin|conformance|\.test\.ts$/.test(f));
    expect(leaked).toEqual([]);
  });
});

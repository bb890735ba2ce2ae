// The packaging test: do the published packages install and work outside this repository?
//
//   node scripts/packaging/run.mjs          (after `pnpm build`; needs the npm registry)
//
// 1. packs every non-private package with pnpm (workspace ranges become real ones) and checks each
//    tarball against ./rules.mjs: manifest, LICENSE, README links, no test support shipped;
// 2. installs the tarballs with npm into a scratch project outside the workspace, with the
//    frameworks' current releases and the tools below (pinned), nothing from the workspace;
// 3. runs there: an ESM import and a CommonJS require of every package (each also does real work),
//    TypeScript type-checks of ESM consumers under moduleResolution node16 and bundler and of a
//    CommonJS consumer under nodenext, `npx sealvec demo`, and esbuild browser/edge bundles of
//    @sealvec/core and of @sealvec/qdrant's web entry, which must not reach for Node built-ins.
// Ends with one summary line; exits 1 if any check failed. SEALVEC_PACK_KEEP=1 keeps the scratch dir.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFiles, checkManifest, checkReadmeLinks } from './rules.mjs';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const FIXTURE = fileURLToPath(new URL('./consumer/', import.meta.url));
// Tools for the checks, pinned; the frameworks at their newest releases in our peer ranges.
const TOOLS = ['typescript@5.9.3', 'esbuild-wasm@0.28.2', '@types/node@^20.19.0', '@langchain/core@^1.0.0', '@llamaindex/core@^0.6.22'];

const results = [];
function check(name, fn) {
  const started = Date.now();
  try {
    const problems = fn() ?? [];
    results.push({ name, ok: problems.length === 0, problems });
  } catch (e) {
    results.push({ name, ok: false, problems: [String(e.stderr || e.stdout || e.message || e).trim().split('\n').slice(-25).join('\n')] });
  }
  const r = results.at(-1);
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  for (const p of r.problems) console.log(`       ${p.replace(/\n/g, '\n       ')}`);
}

function run(cmd, args, cwd, env = {}) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
}

const work = mkdtempSync(join(tmpdir(), 'sealvec-packaging-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
mkdirSync(tarballs);

// 1. Pack and check each published package.
const packages = readdirSync(join(ROOT, 'packages'))
  .map((dir) => ({ dir: join(ROOT, 'packages', dir), pkg: JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => pkg.private !== true);
const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
const packed = [];
for (const { dir, pkg } of packages) {
  check(`pack ${pkg.name}`, () => {
    if (!existsSync(join(dir, 'dist'))) return [`${dir}/dist is missing: run pnpm build first`];
    const before = new Set(readdirSync(tarballs));
    run('pnpm', ['pack', '--pack-destination', tarballs], dir);
    const file = readdirSync(tarballs).find((f) => !before.has(f));
    const tgz = join(tarballs, file);
    packed.push(tgz);
    const files = run('tar', ['-tzf', tgz], work)
      .split('\n')
      .filter((l) => l !== '' && !l.endsWith('/'))
      .map((l) => l.replace(/^package\//, ''));
    const manifest = JSON.parse(run('tar', ['-xzOf', tgz, 'package/package.json'], work));
    const readme = files.includes('README.md') ? run('tar', ['-xzOf', tgz, 'package/README.md'], work) : '';
    const shippedLicense = files.includes('LICENSE') ? run('tar', ['-xzOf', tgz, 'package/LICENSE'], work) : license;
    return [
      ...checkManifest(manifest),
      ...checkFiles(manifest, files),
      ...checkReadmeLinks(readme, files),
      ...(shippedLicense === license ? [] : ['LICENSE differs from the repository LICENSE']),
    ];
  });
}

// 2. A scratch project that knows nothing of the workspace.
check('npm install the tarballs into a scratch project', () => {
  cpSync(FIXTURE, app, { recursive: true });
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packed, ...TOOLS], app);
  return [];
});

const node = (args, env) => run(process.execPath, args, app, env);
check('ESM: import every package and use it', () => void node(['esm.mjs']));
check('CommonJS: require() every package (require(esm), Node >= 20.19) and use it', () => void node(['cjs.cjs']));
for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json', 'tsconfig.cjs.json']) {
  check(`TypeScript: tsc -p ${config}`, () => void node([join(app, 'node_modules/typescript/bin/tsc'), '-p', config]));
}
check('npx sealvec demo (data shipped in the package)', () => {
  const out = run('npx', ['--no-install', 'sealvec', 'demo', '--queries', '5', '--json'], app);
  const report = JSON.parse(out);
  return report.dataset?.base === 2000 ? [] : [`unexpected demo report: ${out.slice(0, 300)}`];
});
check('esbuild: browser and edge bundles of @sealvec/core and @sealvec/qdrant (web entry)', () => {
  const out = node(['bundle.mjs']);
  return out.includes('bundles ok') ? [] : [out];
});

// Summary.
const failed = results.filter((r) => !r.ok);
if (process.env.SEALVEC_PACK_KEEP === '1' || failed.length > 0) console.log(`scratch project kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
console.log(
  `\nPackaging: ${packages.length} packages (${packages.map((p) => p.pkg.name).join(', ')}), ${results.length - failed.length} of ${results.length} checks passed${failed.length ? `; FAILED: ${failed.map((r) => r.name).join('; ')}` : ''}`,
);
process.exitCode = failed.length > 0 ? 1 : 0;

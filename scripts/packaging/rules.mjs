// What a published package must look like, checked on its packed tarball. Pure: each rule takes
// the packed manifest, file list or README text and returns problems (strings), [] when fine.
// Used by ./run.mjs (CI) and tested by ./rules.test.ts.

/** Paths that are test support and must never ship. */
export const FORBIDDEN = [/\.test\.[cm]?[jt]s(\.map)?$/, /(^|\/)__tests__\//, /(^|\/)e2e\//, /test-support\./, /qdrant-standin\./, /\.bench\.[cm]?[jt]s/];

const EXACT = /^\d+\.\d+\.\d+(-[\w.]+)?$/;

/** Problems with the packed package.json (workspace ranges already replaced by pnpm pack). */
export function checkManifest(pkg) {
  const out = [];
  if (pkg.license !== 'Apache-2.0') out.push(`license is ${JSON.stringify(pkg.license)}, expected "Apache-2.0"`);
  if (typeof pkg.repository?.url !== 'string' || !pkg.repository.url.startsWith('git+https://')) out.push('repository.url missing (git+https://...)');
  if (typeof pkg.homepage !== 'string' || !pkg.homepage.startsWith('https://')) out.push('homepage missing');
  if (typeof pkg.engines?.node !== 'string') out.push('engines.node missing');
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith('workspace:')) out.push(`${field}.${name} is ${range}: not replaced on pack`);
      // Exact pins stop npm from sharing one copy with the app and its other dependencies.
      else if (EXACT.test(String(range))) out.push(`${field}.${name} is pinned to ${range}; use a range (^ or ~ with a reason)`);
    }
  }
  for (const [sub, entry] of Object.entries(pkg.exports ?? {})) {
    if (typeof entry !== 'object' || entry === null) {
      out.push(`exports["${sub}"] should be an object with "types" and "default"`);
      continue;
    }
    const keys = Object.keys(entry);
    if (keys[0] !== 'types') out.push(`exports["${sub}"]: "types" must come first`);
    // "default" (not only "import") is what lets require() reach the ESM build on Node >= 20.19.
    if (keys.at(-1) !== 'default') out.push(`exports["${sub}"]: "default" must come last (require() resolves through it)`);
  }
  return out;
}

/** Every file the manifest points at (exports targets, bin) that the tarball lacks. */
export function entryPoints(pkg) {
  const targets = new Set();
  const walk = (v) => {
    if (typeof v === 'string') targets.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(pkg.exports);
  walk(pkg.bin);
  return [...targets];
}

/** Problems with the tarball's file list (paths relative to the package root). */
export function checkFiles(pkg, files) {
  const out = [];
  const have = new Set(files);
  for (const f of ['LICENSE', 'README.md', 'package.json']) if (!have.has(f)) out.push(`${f} is missing`);
  for (const f of files) if (FORBIDDEN.some((re) => re.test(f))) out.push(`test support is shipped: ${f}`);
  for (const t of entryPoints(pkg)) if (!have.has(t)) out.push(`exports/bin point at ${t}, which is not in the tarball`);
  return out;
}

/** Relative links in the README that will not work on npm: leaving the package, or to files it lacks. */
export function checkReadmeLinks(readme, files) {
  const out = [];
  const have = new Set(files);
  for (const m of readme.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1];
    if (/^(https?:|mailto:|#)/.test(target)) continue;
    const path = target.split('#')[0].replace(/^\.\//, '');
    if (path.startsWith('../') || path.startsWith('/')) out.push(`README links outside the package: ${target}`);
    else if (!have.has(path) && ![...have].some((f) => f.startsWith(`${path.replace(/\/$/, '')}/`))) out.push(`README links to ${target}, which is not in the tarball`);
  }
  return out;
}
